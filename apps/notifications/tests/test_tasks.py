"""The Celery wiring: queues per task, late acknowledgement, beat, retries."""

import pytest
from celery.exceptions import Retry

from apps.notifications import tasks
from apps.notifications.services import SendResult, retry_delay
from secretariaVirtual.celery import app as celery_app

SEND_TASKS = [tasks.send_whatsapp_task, tasks.send_email_task]


def queue_of(task_name: str) -> str:
    return celery_app.amqp.router.route({}, task_name)["queue"].name


def test_tasks_are_routed_to_their_queue():
    names = [name for name in tasks.__all__ if name.endswith("_task")]

    assert {name: queue_of(getattr(tasks, name).name) for name in names} == {
        "cleanup_notifications_task": "low",
        "redispatch_stuck_notifications_task": "low",
        "reject_expired_requests_task": "low",
        "scan_reminders_task": "low",
        "send_email_task": "low",
        "send_reminders_task": "low",
        "send_whatsapp_task": "high",
    }
    # Routed by name, not by falling back on the default queue.
    assert sorted(celery_app.conf.task_routes) == sorted(
        getattr(tasks, name).name for name in names
    )


def test_tasks_acknowledge_late_and_return_to_the_queue_on_a_lost_worker():
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1
    assert [(task.acks_late, task.reject_on_worker_lost) for task in SEND_TASKS] == [
        (True, True),
        (True, True),
    ]


def test_beat_schedules_the_periodic_tasks_on_the_low_queue():
    schedule = {
        entry["task"].rsplit(".", 1)[1]: entry["schedule"]
        for entry in celery_app.conf.beat_schedule.values()
    }

    assert schedule == {
        "scan_reminders_task": 60.0,
        "reject_expired_requests_task": 60.0,
        "redispatch_stuck_notifications_task": 180.0,
        "cleanup_notifications_task": 3600.0,
    }
    assert {queue_of(f"apps.notifications.tasks.{name}") for name in schedule} == {
        "low"
    }


@pytest.mark.parametrize("task", SEND_TASKS, ids=lambda task: task.name)
@pytest.mark.parametrize(
    ("result", "expected_retries"),
    [
        (
            SendResult("retry", retry_in=30.0),
            [{"countdown": 30.0, "max_retries": None}],
        ),
        (SendResult("failed"), []),
        (SendResult("sent"), []),
        (SendResult("not_claimed"), []),
    ],
)
def test_send_tasks_retry_only_after_a_temporary_fault(
    task, result, expected_retries, monkeypatch
):
    retries = []

    def record_retry(**options):
        retries.append(options)
        return Retry(when=options["countdown"])

    monkeypatch.setattr(
        tasks.services, "notification_send", lambda notification_id: result
    )
    monkeypatch.setattr(task, "retry", record_retry)

    outcome = task.apply(args=(7,))

    assert retries == expected_retries
    assert outcome.state == ("RETRY" if expected_retries else "SUCCESS")


def test_retry_delay_doubles_and_stays_inside_the_consumer_timeout(settings):
    settings.NOTIFICATIONS_RETRY_BASE_SECONDS = 15.0

    delays = [retry_delay(attempts) for attempts in range(1, 10)]

    assert delays == [15.0, 30.0, 60.0, 120.0, 240.0, 480.0, 600, 600, 600]
