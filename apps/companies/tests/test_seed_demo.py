"""`manage.py seed_demo`: the demo company, its people, printed logins."""

from collections import Counter
from datetime import datetime, time, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from apps.accounts.models import User
from apps.appointments.models import (
    Actor,
    ActorService,
    Appointment,
    AppointmentHistory,
    Service,
    TimeBlock,
    WorkingHours,
)
from apps.companies.management.commands.seed_demo import DEFAULT_DEMO_PASSWORD
from apps.companies.models import Company, Membership

EXPECTED_OUTPUT = f"""Demo company: Barbearia Virtual (barbearia-virtual)
Password of every demo login: {DEFAULT_DEMO_PASSWORD}
  super admin  superadmin@demo.virtualsecretary.local
  admin        admin@demo.virtualsecretary.local
  manager      manager@demo.virtualsecretary.local
  actor        actor1@demo.virtualsecretary.local
  actor        actor2@demo.virtualsecretary.local
  actor        actor3@demo.virtualsecretary.local
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
        "services": list(Service.objects.order_by("id").values()),
        "offers": list(ActorService.objects.order_by("id").values()),
        "hours": list(WorkingHours.objects.order_by("id").values()),
        "blocks": list(TimeBlock.objects.order_by("id").values()),
        "appointments": list(Appointment.objects.order_by("id").values()),
        "history": list(AppointmentHistory.objects.order_by("id").values()),
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
        ("actor3@demo.virtualsecretary.local", "actor", True),
        ("admin@demo.virtualsecretary.local", "admin", True),
        ("ana.ribeiro@demo.virtualsecretary.local", "customer", True),
        ("beatriz.rocha@demo.virtualsecretary.local", "customer", True),
        ("customer@demo.virtualsecretary.local", "customer", True),
        ("joao.pereira@demo.virtualsecretary.local", "customer", True),
        ("lucas.martins@demo.virtualsecretary.local", "customer", True),
        ("manager@demo.virtualsecretary.local", "manager", True),
        ("pedro.alves@demo.virtualsecretary.local", "customer", True),
    ]
    assert sorted(Actor.objects.values_list("display_name", "is_bookable")) == [
        ("Bruno Costa", True),
        ("Diego Ferreira", True),
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


# The schedule. Wednesday 2027-03-10, 10:00 in São Paulo: the past working
# days are Sat 6, Mon 8 and Tue 9; the holiday is Wed 17; the future working
# days are 11, 12, 13 (Sat), 15, 16, 18, 19, 20 (Sat), 22 and 23.
SAO_PAULO = ZoneInfo("America/Sao_Paulo")
SEED_MOMENT = datetime(2027, 3, 10, 10, 0, tzinfo=SAO_PAULO)
STATUS_COUNTS = {
    "confirmed": 30,
    "completed": 12,
    "cancelled": 5,
    "pending": 4,
    "no_show": 2,
    "rejected": 2,
}


@pytest.fixture
def seeded(db, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    with time_machine.travel(SEED_MOMENT, tick=False):
        seed()
    return Company.objects.get(slug="barbearia-virtual")


def local(moment: datetime) -> str:
    return moment.astimezone(SAO_PAULO).strftime("%a %d %H:%M")


def test_seed_demo_services_and_offers(seeded):
    services = Service.objects.filter(company=seeded).order_by("name_pt_br")
    offers = ActorService.objects.filter(company=seeded)

    assert [
        (
            s.name_pt_br,
            s.name_en,
            s.duration_minutes,
            s.price,
            s.buffer_before_minutes,
            s.buffer_after_minutes,
            s.requires_approval,
        )
        for s in services
    ] == [
        ("Barba", "Beard trim", 30, Decimal("35.00"), 0, 5, False),
        ("Coloração", "Hair colouring", 90, Decimal("150.00"), 15, 15, True),
        ("Corte de cabelo", "Haircut", 30, Decimal("50.00"), 0, 10, False),
        ("Corte e barba", "Haircut and beard", 60, Decimal("80.00"), 0, 10, False),
        ("Corte infantil", "Kids' haircut", 30, Decimal("40.00"), 0, 10, False),
        ("Sobrancelha", "Eyebrow trim", 15, Decimal("20.00"), 0, 0, False),
    ]
    assert sorted(
        offers.values_list("actor__display_name", "service__name_pt_br", "price")
    ) == [
        ("Bruno Costa", "Barba", None),
        ("Bruno Costa", "Corte de cabelo", None),
        ("Bruno Costa", "Corte e barba", None),
        ("Bruno Costa", "Corte infantil", None),
        ("Bruno Costa", "Sobrancelha", None),
        ("Diego Ferreira", "Coloração", None),
        ("Diego Ferreira", "Corte de cabelo", None),
        ("Diego Ferreira", "Corte e barba", None),
        ("Diego Ferreira", "Corte infantil", None),
        ("Diego Ferreira", "Sobrancelha", None),
        ("Rafael Souza", "Barba", None),
        ("Rafael Souza", "Coloração", None),
        ("Rafael Souza", "Corte de cabelo", Decimal("65.00")),
        ("Rafael Souza", "Corte e barba", None),
    ]


def test_seed_demo_hours_lunch_break_saturday_mornings_and_holiday(seeded):
    hours = WorkingHours.objects.filter(company=seeded)
    weekday_hours = [(time(9), time(12)), (time(13), time(19))]

    for actor in Actor.objects.filter(company=seeded):
        assert [
            (h.weekday, h.start_time, h.end_time)
            for h in hours.filter(actor=actor).order_by("weekday", "start_time")
        ] == [
            *((day, start, end) for day in range(5) for start, end in weekday_hours),
            (5, time(9), time(13)),
        ]
    assert sorted(
        (block.actor.display_name, local(block.start), local(block.end), block.reason)
        for block in TimeBlock.objects.filter(company=seeded)
    ) == [
        (name, "Wed 17 00:00", "Thu 18 00:00", "Feriado municipal")
        for name in ("Bruno Costa", "Diego Ferreira", "Rafael Souza")
    ]


def test_seed_demo_appointments_in_every_status(seeded):
    appointments = Appointment.objects.filter(company=seeded)
    by_day = Counter(
        appointment.start.astimezone(SAO_PAULO).day for appointment in appointments
    )

    assert Counter(appointments.values_list("status", flat=True)) == STATUS_COUNTS
    assert sorted(by_day.items()) == [
        (6, 5),
        (8, 5),
        (9, 5),
        (11, 4),
        (12, 4),
        (13, 5),
        (15, 4),
        (16, 3),
        (18, 4),
        (19, 4),
        (20, 5),
        (22, 4),
        (23, 3),
    ]
    assert AppointmentHistory.objects.filter(appointment__company=seeded).count() == 79
    past = appointments.filter(start__lt=SEED_MOMENT)
    assert set(past.values_list("status", flat=True)) == {
        "completed",
        "no_show",
        "cancelled",
    }
    assert set(
        appointments.filter(start__gt=SEED_MOMENT).values_list("status", flat=True)
    ) == {"pending", "confirmed", "cancelled", "rejected"}


def test_seed_demo_customer_appointments(seeded):
    carla = User.objects.get(email="customer@demo.virtualsecretary.local")

    rows = [
        (
            local(a.start),
            local(a.end),
            a.actor.display_name,
            a.service.name_pt_br,
            a.status,
            a.price_final,
        )
        for a in Appointment.objects.filter(customer=carla).order_by("start")
    ]

    assert rows == [
        (
            "Sat 06 09:00",
            "Sat 06 09:30",
            "Rafael Souza",
            "Corte de cabelo",
            "completed",
            Decimal("65.00"),
        ),
        (
            "Mon 08 14:00",
            "Mon 08 14:30",
            "Rafael Souza",
            "Corte de cabelo",
            "completed",
            Decimal("65.00"),
        ),
        (
            "Tue 09 14:30",
            "Tue 09 14:45",
            "Bruno Costa",
            "Sobrancelha",
            "completed",
            Decimal("20.00"),
        ),
        (
            "Thu 11 10:00",
            "Thu 11 11:30",
            "Diego Ferreira",
            "Coloração",
            "pending",
            Decimal("150.00"),
        ),
        (
            "Sat 13 09:30",
            "Sat 13 10:30",
            "Bruno Costa",
            "Corte e barba",
            "confirmed",
            Decimal("80.00"),
        ),
        (
            "Mon 15 09:30",
            "Mon 15 10:00",
            "Bruno Costa",
            "Corte de cabelo",
            "confirmed",
            Decimal("50.00"),
        ),
        (
            "Thu 18 14:00",
            "Thu 18 15:00",
            "Rafael Souza",
            "Corte e barba",
            "confirmed",
            Decimal("80.00"),
        ),
        (
            "Fri 19 10:00",
            "Fri 19 11:00",
            "Diego Ferreira",
            "Corte e barba",
            "confirmed",
            Decimal("80.00"),
        ),
        (
            "Mon 22 09:00",
            "Mon 22 10:30",
            "Rafael Souza",
            "Coloração",
            "rejected",
            Decimal("150.00"),
        ),
        (
            "Tue 23 10:00",
            "Tue 23 11:30",
            "Diego Ferreira",
            "Coloração",
            "confirmed",
            Decimal("150.00"),
        ),
    ]


def test_seed_demo_history_of_an_approved_and_completed_visit(seeded):
    colouring = Appointment.objects.get(
        company=seeded, service__name_pt_br="Coloração", status="completed"
    )

    history = [
        (local(row.at), row.by.name, row.from_status, row.to_status)
        for row in colouring.history.order_by("at", "id")
    ]

    assert local(colouring.start) == "Sat 06 10:00"
    assert history == [
        ("Thu 04 10:00", colouring.customer.name, "", "pending"),
        ("Thu 04 12:00", "Marcos Lima", "pending", "confirmed"),
        ("Sat 06 11:35", "Diego Ferreira", "confirmed", "completed"),
    ]
    assert (local(colouring.created_at), local(colouring.updated_at)) == (
        "Thu 04 10:00",
        "Sat 06 11:35",
    )


def occupied_overlaps() -> list[tuple[int, int]]:
    rows = list(
        Appointment.objects.values_list(
            "id", "actor_id", "occupied_start", "occupied_end"
        )
    )
    return [
        (a[0], b[0])
        for a in rows
        for b in rows
        if a[0] < b[0] and a[1] == b[1] and a[2] < b[3] and b[2] < a[3]
    ]


@pytest.mark.parametrize("days_later", range(7))
def test_seed_demo_schedule_is_consistent_on_any_weekday(db, days_later):
    moment = SEED_MOMENT + timedelta(days=days_later, hours=days_later)
    with time_machine.travel(moment, tick=False):
        seed()
    appointments = Appointment.objects.select_related("service", "actor")
    offers = {
        (offer.actor_id, offer.service_id): offer
        for offer in ActorService.objects.select_related("service")
    }
    hours = {
        (h.actor_id, h.weekday, h.start_time, h.end_time)
        for h in WorkingHours.objects.all()
    }
    holiday = TimeBlock.objects.first()

    assert Counter(appointments.values_list("status", flat=True)) == STATUS_COUNTS
    assert occupied_overlaps() == []
    for appointment in appointments:
        offer = offers[(appointment.actor_id, appointment.service_id)]
        start = appointment.start.astimezone(SAO_PAULO)
        end = appointment.end.astimezone(SAO_PAULO)
        assert any(
            (appointment.actor_id, start.weekday(), first, last) in hours
            and first <= start.time()
            and end.time() <= last
            for first, last in (
                (time(9), time(12)),
                (time(13), time(19)),
                (time(9), time(13)),
            )
        ), appointment
        assert not (holiday.start <= appointment.start < holiday.end)
        assert appointment.price_base == appointment.price_final
        assert appointment.price_final == offer.effective_price
        assert appointment.end - appointment.start == offer.effective_duration
        assert appointment.start - appointment.occupied_start == (
            offer.effective_buffer_before
        )
        assert appointment.occupied_end - appointment.end == (
            offer.effective_buffer_after
        )
        assert appointment.created_at < appointment.start
        assert appointment.currency == "BRL"
        if appointment.start < moment:
            assert appointment.status in ("completed", "no_show", "cancelled")
        else:
            assert appointment.status in (
                "pending",
                "confirmed",
                "cancelled",
                "rejected",
            )
            assert appointment.start < moment + timedelta(days=14)


def test_seed_demo_schedule_twice_and_on_a_later_day_changes_nothing(seeded):
    before = snapshot()

    with time_machine.travel(SEED_MOMENT + timedelta(days=3), tick=False):
        seed()

    assert snapshot() == before
