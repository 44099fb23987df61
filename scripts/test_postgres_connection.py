#!/usr/bin/env python
"""Checks that PostgreSQL answers with the configured credentials.

    python scripts/test_postgres_connection.py

Reads DATABASE_URL, else DB_NAME, DB_USER, DB_PASSWORD, DB_HOST and DB_PORT
(defaults: postgres@127.0.0.1:5432/postgres). Prints the server version and
whether the `btree_gist` extension, which the booking constraint needs, is
available and installed. Exits 0 when connected, 1 otherwise.
"""

import os
import sys

import environ
import psycopg2

CONNECT_TIMEOUT_SECONDS = 5


def connection_settings(environment: dict[str, str]) -> dict[str, str]:
    """psycopg2 keyword arguments from DATABASE_URL or the DB_* variables."""
    url = environment.get("DATABASE_URL")
    if url:
        config = environ.Env.db_url_config(url)
        if config["ENGINE"] != "django.db.backends.postgresql":
            raise ValueError(
                f"DATABASE_URL is not a PostgreSQL URL: {config['ENGINE']}"
            )
        values = {
            "dbname": config.get("NAME") or "postgres",
            "user": config.get("USER") or "postgres",
            "password": config.get("PASSWORD") or "",
            "host": config.get("HOST") or "127.0.0.1",
            "port": str(config.get("PORT") or 5432),
        }
    else:
        values = {
            "dbname": environment.get("DB_NAME", "postgres"),
            "user": environment.get("DB_USER", "postgres"),
            "password": environment.get("DB_PASSWORD", ""),
            "host": environment.get("DB_HOST", "127.0.0.1"),
            "port": environment.get("DB_PORT", "5432"),
        }
    return {key: value for key, value in values.items() if value != ""}


def describe(params: dict[str, str]) -> str:
    return (
        f"{params.get('user', '')}@{params.get('host', '')}:"
        f"{params.get('port', '')}/{params.get('dbname', '')}"
    )


def main() -> int:
    try:
        params = connection_settings(dict(os.environ))
    except ValueError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1

    print(f"Connecting to {describe(params)}")
    try:
        with psycopg2.connect(
            connect_timeout=CONNECT_TIMEOUT_SECONDS, **params
        ) as conn:
            with conn.cursor() as cursor:
                cursor.execute("SELECT version()")
                version = cursor.fetchone()[0]
                cursor.execute(
                    "SELECT default_version, installed_version "
                    "FROM pg_available_extensions WHERE name = 'btree_gist'"
                )
                extension = cursor.fetchone()
        conn.close()
    except psycopg2.Error as exc:
        print(f"FAILED: {str(exc).strip()}", file=sys.stderr)
        return 1

    print(f"Server: {version}")
    if extension is None:
        print("btree_gist: not available (install the postgresql-contrib package)")
    elif extension[1] is None:
        print(f"btree_gist: available ({extension[0]}), not installed in this database")
    else:
        print(f"btree_gist: available, installed ({extension[1]})")
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
