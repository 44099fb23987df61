"""`manage.py seed_demo`: the demo company, its people, printed logins."""

from io import StringIO

from django.core.management import call_command

from apps.accounts.models import User
from apps.appointments.models import Actor
from apps.companies.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from apps.companies.models import Company, Membership

EXPECTED_OUTPUT = f"""Demo company: Barbearia Virtual (barbearia-virtual)
Password of every demo login: {DEFAULT_DEMO_PASSWORD}
  super admin  superadmin@demo.virtualsecretary.local
  admin        admin@demo.virtualsecretary.local
  manager      manager@demo.virtualsecretary.local
  actor        actor1@demo.virtualsecretary.local
  actor        actor2@demo.virtualsecretary.local
  customer     customer@demo.virtualsecretary.local
"""


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every row the command may touch, with its change timestamps."""
    return {
        "companies": list(Company.objects.order_by("id").values()),
        "users": list(User.objects.order_by("id").values()),
        "memberships": list(Membership.objects.order_by("id").values()),
        "actors": list(Actor.objects.order_by("id").values()),
    }


def test_seed_demo_creates_the_company_and_people(db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)

    output = seed()

    assert output == EXPECTED_OUTPUT
    company = Company.objects.get(slug="barbearia-virtual")
    assert (company.name, company.timezone, company.language, company.currency) == (
        "Barbearia Virtual",
        "America/Sao_Paulo",
        "pt-br",
        "BRL",
    )
    assert sorted(
        company.memberships.values_list("user__email", "role", "is_active")
    ) == [
        ("actor1@demo.virtualsecretary.local", "actor", True),
        ("actor2@demo.virtualsecretary.local", "actor", True),
        ("admin@demo.virtualsecretary.local", "admin", True),
        ("customer@demo.virtualsecretary.local", "customer", True),
        ("manager@demo.virtualsecretary.local", "manager", True),
    ]
    assert sorted(Actor.objects.values_list("display_name", "is_bookable")) == [
        ("Bruno Costa", True),
        ("Rafael Souza", True),
    ]
    root = User.objects.get(email="superadmin@demo.virtualsecretary.local")
    assert (root.is_superuser, root.is_staff) == (True, True)
    assert root.memberships.count() == 0


def test_seed_demo_twice_changes_nothing(db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    seed()
    before = snapshot()

    output = seed()

    assert output == EXPECTED_OUTPUT
    assert snapshot() == before


def test_seed_demo_password_comes_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "Another-Demo-Phrase-9")

    output = seed()

    assert "Password of every demo login: Another-Demo-Phrase-9" in output.splitlines()
    admin = User.objects.get(email="admin@demo.virtualsecretary.local")
    assert admin.check_password("Another-Demo-Phrase-9")


def test_seed_demo_resets_a_changed_demo_password(db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    seed()
    admin = User.objects.get(email="admin@demo.virtualsecretary.local")
    admin.set_password("Changed-By-Someone-1")
    admin.save(update_fields=["password"])

    seed()

    admin.refresh_from_db()
    assert admin.check_password(DEFAULT_DEMO_PASSWORD)


def test_seed_demo_printed_admin_can_log_in(db, api, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    seed()

    response = api.post(
        "/api/auth/users/login/",
        {
            "email": "admin@demo.virtualsecretary.local",
            "password": DEFAULT_DEMO_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert [
        (m["company"]["slug"], m["role"])
        for m in response.json()["user"]["memberships"]
    ] == [("barbearia-virtual", "admin")]
