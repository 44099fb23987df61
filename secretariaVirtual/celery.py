"""The Celery application: RabbitMQ broker, queues `high` and `low`."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "secretariaVirtual.settings")

app = Celery("secretariaVirtual")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
