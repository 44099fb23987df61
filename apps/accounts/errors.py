"""Error codes of people and memberships."""

from django.utils.translation import gettext_lazy as _

from apps.core.errors import Conflict


class LastAdmin(Conflict):
    code = "last_admin"
    default_message = _(
        "The company must keep at least one admin; make someone else admin first."
    )
