"""The feature-flag app's error: a feature that is off where it was asked for."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from apps.core.errors import DomainError

from .registry import definition_get


class FeatureDisabled(DomainError):
    status_code = 403
    code = "feature_disabled"
    default_message = gettext_lazy("This feature is not enabled.")

    def __init__(self, name: str):
        definition = definition_get(name)
        label = definition.label if definition else name
        super().__init__(
            _("The feature “%(feature)s” is not enabled.") % {"feature": label},
            extra={"feature": name},
        )
