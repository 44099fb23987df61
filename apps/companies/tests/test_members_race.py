"""Two admins adding the same person at once, on PostgreSQL, through the API.

Each thread has its own client and database connection and the threads are
released together; data is committed so that each sees the others' rows.
"""

import threading

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.test import APIClient

from apps.companies.models import Membership, Role
from apps.core.tests.factories import UserFactory, member

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, available_apps=settings.INSTALLED_APPS),
]

THREADS = 8


def test_members_add_same_person_at_once_makes_one_membership(tenant_a):
    admins = [tenant_a.admin] + [
        member(tenant_a.company, Role.ADMIN, email=f"admin{n}@alpha.example.com")
        for n in range(1, THREADS)
    ]
    newcomer = UserFactory(email="newcomer@example.com")
    url = f"/api/companies/{tenant_a.company.pk}/members/"
    barrier = threading.Barrier(THREADS)
    answers: list = [None] * THREADS

    def run(index: int) -> None:
        client = APIClient()
        client.force_authenticate(user=admins[index])
        try:
            barrier.wait(timeout=30)
            response = client.post(
                url,
                {"email": newcomer.email, "role": Role.CUSTOMER},
                format="json",
                HTTP_ACCEPT_LANGUAGE="en",
            )
            answers[index] = (response.status_code, response.json())
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(status for status, _body in answers)
    assert statuses == [201] + [400] * (THREADS - 1)
    refusals = [body for status, body in answers if status == 400]
    assert all(
        body
        == {
            "code": "validation_error",
            "detail": "Some fields are not valid.",
            "fields": {"user": ["This user is already a member of the company."]},
        }
        for body in refusals
    )
    assert Membership.objects.filter(user=newcomer).count() == 1
