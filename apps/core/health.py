"""Health checks for the services the library does not cover as configured."""

import dataclasses

from django.conf import settings
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 3


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (RabbitMQ when configured)."""

    def run(self):
        try:
            with Connection(
                settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS
            ) as connection:
                connection.ensure_connection(max_retries=1)
        except Exception as exc:  # any failure to connect means unavailable
            raise ServiceUnavailable("Broker unavailable") from exc
