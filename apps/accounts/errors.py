"""Error codes of people and memberships."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from apps.core.errors import Conflict, ValidationFailed


class EmailTaken(ValidationFailed):
    """The email names an account the request may not use."""

    def __init__(self):
        super().__init__(
            fields={"email": [gettext("A user with this email already exists.")]}
        )


class LastAdmin(Conflict):
    code = "last_admin"
    default_message = _(
        "The company must keep at least one admin; make someone else admin first."
    )
