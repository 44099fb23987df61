"""The dashboard's sign-in form: email and password, throttled like the API."""

import math

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from apps.accounts.throttles import LoginAddressThrottle, LoginEmailThrottle


class FormLoginEmailThrottle(LoginEmailThrottle):
    """The API's per-email failure count, read from the form's field.

    Same scope and key as the API's, so failures on either page count
    against one limit.
    """

    def get_cache_key(self, request, view):
        email = request.POST.get("username", "")
        if not email.strip():
            return None
        return self.cache_format % {"scope": self.scope, "ident": email.strip().lower()}


class DashboardLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Email or password is incorrect."),
        "throttled": _("Too many failed sign-ins. Try again in %(seconds)s seconds."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self):
        throttles = [LoginAddressThrottle(), FormLoginEmailThrottle()]
        for throttle in throttles:
            if not throttle.allow_request(self.request, None):
                raise forms.ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"seconds": math.ceil(throttle.wait() or 1)},
                )
        try:
            return super().clean()
        except forms.ValidationError as error:
            if error.code == "invalid_login":
                for throttle in throttles:
                    throttle.record_failure(self.request, None)
            raise
