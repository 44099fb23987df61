"""The settings module read from the environment, checked in fresh processes.

Each test imports the settings in a subprocess with exactly the variables
it names (and `DJANGO_ENV_FILE` pointing nowhere, so a developer's `.env`
cannot leak in) and reads back what they became.
"""

import json
import re
import subprocess
import sys

import pytest
from django.conf import settings

BASE_DIR = settings.BASE_DIR
REAL_KEY = "k3Jx9-vQ2mZt8Lw_pR4sN7bY1cF6hD0gA5eU-iO3kM9nB2vC8xZ4qW7"

PRINT_SETTINGS = """
import json
import re
import django
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG,
    "db_engine": db["ENGINE"],
    "db_name": str(db["NAME"]),
    "db_host": db.get("HOST", ""),
    "db_port": str(db.get("PORT", "")),
    "db_user": db.get("USER", ""),
    "cache_backend": s.CACHES["default"]["BACKEND"],
    "cache_location": s.CACHES["default"].get("LOCATION"),
    "channel_layer": s.CHANNEL_LAYERS["default"]["BACKEND"],
    "channel_hosts": s.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts"),
    "celery_eager": s.CELERY_TASK_ALWAYS_EAGER,
    "celery_broker": s.CELERY_BROKER_URL,
    "celery_queues": [q.name for q in s.CELERY_TASK_QUEUES],
    "email_backend": s.EMAIL_BACKEND,
    "language": s.LANGUAGE_CODE,
    "time_zone": s.TIME_ZONE,
    "twilio_sid": s.TWILIO_ACCOUNT_SID,
    "google_client": s.GOOGLE_OAUTH_CLIENT_ID,
    "log_dir": str(s.LOG_DIR),
    "allowed_hosts": s.ALLOWED_HOSTS,
}))
"""


def run(args: list[str], env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    full_env = {
        "DJANGO_SETTINGS_MODULE": "secretariaVirtual.settings",
        "DJANGO_ENV_FILE": str(tmp_path / "no.env"),
        "LOG_DIR": str(tmp_path / "logs"),
        "PATH": "/usr/bin:/bin",
        **env,
    }
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def settings_with(env: dict[str, str], tmp_path) -> dict:
    result = run(["-c", PRINT_SETTINGS], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_settings_embedded_defaults_with_an_empty_environment(tmp_path):
    values = settings_with({}, tmp_path)

    assert values == {
        "DEBUG": True,
        "db_engine": "django.db.backends.sqlite3",
        "db_name": str(BASE_DIR / "db.sqlite3"),
        "db_host": "",
        "db_port": "",
        "db_user": "",
        "cache_backend": "django.core.cache.backends.locmem.LocMemCache",
        "cache_location": "virtual-secretary",
        "channel_layer": "channels.layers.InMemoryChannelLayer",
        "channel_hosts": None,
        "celery_eager": True,
        "celery_broker": "memory://",
        "celery_queues": ["high", "low"],
        "email_backend": "django.core.mail.backends.console.EmailBackend",
        "language": "pt-br",
        "time_zone": "America/Sao_Paulo",
        "twilio_sid": "",
        "google_client": "",
        "log_dir": str(tmp_path / "logs"),
        "allowed_hosts": ["localhost", "127.0.0.1", "[::1]", "testserver"],
    }


def test_settings_database_url_switches_the_database_only(tmp_path):
    env = {"DATABASE_URL": "postgres://vs:secret@db.internal:6543/appointments"}

    values = settings_with(env, tmp_path)

    assert {key: values[key] for key in values if key.startswith("db_")} == {
        "db_engine": "django.db.backends.postgresql",
        "db_name": "appointments",
        "db_host": "db.internal",
        "db_port": "6543",
        "db_user": "vs",
    }
    assert values["cache_backend"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["celery_eager"] is True


def test_settings_redis_url_switches_cache_and_channel_layer(tmp_path):
    env = {"REDIS_URL": "redis://cache.internal:6380/2"}

    values = settings_with(env, tmp_path)

    assert (
        values["cache_backend"],
        values["cache_location"],
        values["channel_layer"],
        values["channel_hosts"],
    ) == (
        "django_redis.cache.RedisCache",
        "redis://cache.internal:6380/2",
        "channels_redis.core.RedisChannelLayer",
        [{"address": "redis://cache.internal:6380/2", "socket_timeout": None}],
    )
    assert values["db_engine"] == "django.db.backends.sqlite3"
    assert values["celery_eager"] is True


def test_settings_broker_url_switches_celery_off_eager(tmp_path):
    env = {"CELERY_BROKER_URL": "amqp://guest:guest@mq.internal:5672//"}

    values = settings_with(env, tmp_path)

    assert (values["celery_eager"], values["celery_broker"]) == (
        False,
        "amqp://guest:guest@mq.internal:5672//",
    )
    assert values["db_engine"] == "django.db.backends.sqlite3"
    assert values["cache_backend"] == "django.core.cache.backends.locmem.LocMemCache"


def test_settings_email_url_switches_the_mail_backend(tmp_path):
    env = {"EMAIL_URL": "smtp://mailer:pw@smtp.internal:587"}

    values = settings_with(env, tmp_path)

    assert values["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"


def test_settings_dot_env_file_is_read_and_environment_wins(tmp_path):
    dot_env = tmp_path / "custom.env"
    dot_env.write_text(
        "REDIS_URL=redis://from-file:6379/0\n"
        "DATABASE_URL=postgres://file@from-file:5432/file_db\n"
    )
    env = {
        "DJANGO_ENV_FILE": str(dot_env),
        "DATABASE_URL": "postgres://env@from-env:5432/env_db",
    }

    values = settings_with(env, tmp_path)

    assert (values["cache_location"], values["db_host"], values["db_name"]) == (
        "redis://from-file:6379/0",
        "from-env",
        "env_db",
    )


@pytest.mark.parametrize(
    "key",
    [None, "short-key", "django-insecure-virtual-secretary-development-only"],
    ids=["missing", "short", "development-key"],
)
def test_settings_debug_off_refuses_to_start_without_a_real_key(tmp_path, key):
    env = {"DEBUG": "False"}
    if key is not None:
        env["DJANGO_SECRET_KEY"] = key

    result = run(["-c", PRINT_SETTINGS], env, tmp_path)

    assert result.returncode == 1
    assert (
        "ImproperlyConfigured: DJANGO_SECRET_KEY must be set to a random value of "
        "at least 50 characters when DEBUG is off."
    ) in result.stderr


def test_settings_debug_off_with_a_real_key_starts(tmp_path):
    values = settings_with({"DEBUG": "False", "DJANGO_SECRET_KEY": REAL_KEY}, tmp_path)

    assert values["DEBUG"] is False


def test_settings_check_deploy_reports_no_issues(tmp_path):
    env = {
        "DEBUG": "False",
        "DJANGO_SECRET_KEY": REAL_KEY,
        "DJANGO_ALLOWED_HOSTS": "agenda.example.com",
        "STATIC_ROOT": str(tmp_path / "static"),
    }

    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"], env, tmp_path
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


DESIGN_NAMES = {
    "DJANGO_SECRET_KEY",
    "DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "LOG_DIR",
    "FIELD_ENCRYPTION_KEY",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_PHONE_NUMBER",
    "TWILIO_API_URL",
    "TWILIO_WEBHOOK_BASE_URL",
    "GOOGLE_OAUTH_CLIENT_ID",
    "GOOGLE_OAUTH_CLIENT_SECRET",
    "GOOGLE_OAUTH_REDIRECT_URI",
}


def documented_names() -> set[str]:
    text = (BASE_DIR / "config.env").read_text()
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", text, re.MULTILINE))


def test_settings_config_env_documents_every_variable_settings_reads():
    source = (BASE_DIR / "secretariaVirtual" / "settings.py").read_text()
    read = set(
        re.findall(r'(?:env\.\w+|env|os\.environ\.get)\(\s*"([A-Z][A-Z0-9_]*)"', source)
    )

    assert read - documented_names() == set()
    assert DESIGN_NAMES - read == set()
