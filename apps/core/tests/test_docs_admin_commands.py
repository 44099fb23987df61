"""OpenAPI schema, Swagger UI served offline, the admin, management commands."""

import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from drf_spectacular.validation import validate_schema

from apps.accounts.models import User

SWAGGER_DIST = "drf_spectacular_sidecar/swagger-ui-dist"
FOUNDATION_PATHS = {
    "/api/auth/users/",
    "/api/auth/users/{id}/",
    "/api/auth/users/login/",
    "/api/auth/users/logout/",
    "/api/auth/users/me/",
    "/api/auth/users/register/",
    "/api/companies/",
    "/api/companies/{id}/",
    "/api/companies/{id}/statistics/",
    "/api/companies/{id}/members/",
    "/api/companies/{id}/members/{member_id}/",
}


def test_schema_is_valid_openapi(client, db):
    response = client.get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    assert schema["openapi"] == "3.0.3"
    assert schema["info"]["title"] == "Virtual Secretary API"
    assert FOUNDATION_PATHS <= set(schema["paths"])


def test_schema_documents_the_foundation_methods(client, db):
    paths = client.get("/api/schema/?format=json").json()["paths"]

    methods = {path: sorted(paths[path]) for path in FOUNDATION_PATHS}

    assert methods == {
        "/api/auth/users/": ["get", "post"],
        "/api/auth/users/{id}/": ["delete", "get", "patch"],
        "/api/auth/users/login/": ["post"],
        "/api/auth/users/logout/": ["post"],
        "/api/auth/users/me/": ["get"],
        "/api/auth/users/register/": ["post"],
        "/api/companies/": ["get", "post"],
        "/api/companies/{id}/": ["get", "patch"],
        "/api/companies/{id}/statistics/": ["get"],
        "/api/companies/{id}/members/": ["get", "post"],
        "/api/companies/{id}/members/{member_id}/": ["delete", "patch"],
    }


def test_docs_serve_swagger_ui_from_local_assets(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "swagger-ui" in html
    assert not re.search(r"https?://", html)
    assert sorted(assets) == [
        f"/static/{SWAGGER_DIST}/favicon-32x32.png",
        f"/static/{SWAGGER_DIST}/swagger-ui-bundle.js",
        f"/static/{SWAGGER_DIST}/swagger-ui-standalone-preset.js",
        f"/static/{SWAGGER_DIST}/swagger-ui.css",
    ]
    missing = [a for a in assets if not finders.find(a.removeprefix("/static/"))]
    assert missing == []


def admin_urls() -> list[tuple[str, str]]:
    urls = []
    for model in admin.site._registry:
        opts = model._meta
        urls.append((opts.label, f"admin:{opts.app_label}_{opts.model_name}"))
    return sorted(urls)


@pytest.mark.parametrize(("label", "prefix"), admin_urls(), ids=lambda v: v)
def test_admin_pages_load_for_every_model(client, tenant_a, super_admin, label, prefix):
    client.force_login(super_admin)
    model = next(m for m in admin.site._registry if m._meta.label == label)
    model_admin = admin.site._registry[model]

    changelist = client.get(reverse(f"{prefix}_changelist"))
    searched = client.get(reverse(f"{prefix}_changelist"), {"q": "alpha"})
    add = client.get(reverse(f"{prefix}_add"))
    first = model.objects.first()
    change = client.get(reverse(f"{prefix}_change", args=[first.pk])) if first else None

    assert (changelist.status_code, searched.status_code) == (200, 200)
    request = changelist.wsgi_request
    assert add.status_code == (200 if model_admin.has_add_permission(request) else 403)
    if change is not None:
        assert change.status_code == 200


def test_admin_lists_the_foundation_models():
    labels = {label for label, _prefix in admin_urls()}

    assert {
        "accounts.User",
        "companies.Company",
        "companies.Membership",
        "core.IdempotencyRecord",
    } <= labels


def test_createsuperuser_noinput_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Owner@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Long-Owner-Passphrase-5")

    call_command("createsuperuser", interactive=False, verbosity=0)

    user = User.objects.get()
    assert (user.email, user.is_superuser, user.is_staff, user.is_super_admin) == (
        "owner@example.com",
        True,
        True,
        True,
    )
    assert user.check_password("Long-Owner-Passphrase-5")


def test_logging_goes_to_the_console_and_a_rotating_file(tmp_path):
    script = (
        "import django, logging; django.setup(); "
        "logging.getLogger('apps.probe').warning('probe %s', 'written'); "
        "logging.getLogger('django.request').warning('request probe'); "
        "from django.conf import settings; "
        "h = settings.LOGGING['handlers']['file']; "
        "print(h['class'], h['maxBytes'], h['backupCount'])"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "secretariaVirtual.settings",
        "DJANGO_ENV_FILE": str(tmp_path / "no.env"),
        "LOG_DIR": str(tmp_path / "nested" / "logs"),
    }

    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("logging.handlers.RotatingFileHandler 10485760 5")
    written = (tmp_path / "nested" / "logs" / "django.log").read_text()
    file_lines = [line.split(" ", 2)[2] for line in written.splitlines()]
    console_lines = [line.split(" ", 2)[2] for line in result.stderr.splitlines()]
    expected = [
        "WARNING apps.probe probe written",
        "WARNING django.request request probe",
    ]
    assert file_lines == expected
    assert console_lines == expected
