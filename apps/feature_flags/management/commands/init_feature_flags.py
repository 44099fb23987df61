from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.feature_flags import services
from apps.feature_flags.registry import ENVIRONMENTS, REGISTRY


class Command(BaseCommand):
    help = (
        "Create the registry's missing feature flags with the defaults of the "
        "current environment. Flags that exist are left exactly as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--environment",
            help="Use this environment's defaults instead of settings.ENVIRONMENT.",
        )

    def handle(self, *args, **options):
        environment = options["environment"] or settings.ENVIRONMENT
        if options["environment"] and environment not in ENVIRONMENTS:
            raise CommandError(
                f"Unknown environment {environment!r}; "
                f"choose one of {', '.join(ENVIRONMENTS)}."
            )

        created = services.flags_initialize(environment=environment)
        if options["verbosity"] < 1:
            return

        for name in created:
            state = "on" if REGISTRY[name].default_for(environment) else "off"
            self.stdout.write(f"created {name} ({state})")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(created)} created, {len(REGISTRY) - len(created)} kept "
                f"({environment} defaults)."
            )
        )
