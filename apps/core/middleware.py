"""Chooses the language of every request.

The order is `Accept-Language`, then the user's preference, then the
language of the user's company, then Brazilian Portuguese. The user is
found from the session or from an API token, since DRF authenticates only
after middleware has run.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

SUPPORTED = {code for code, _name in settings.LANGUAGES}


def supported_language(value: str | None) -> str | None:
    """The supported code for a language tag (`pt-BR`, `pt`, `en-US`), or None."""
    if not value:
        return None
    value = value.lower().replace("_", "-")
    if value in SUPPORTED:
        return value
    if value.split("-")[0] == "pt":
        return "pt-br"
    if value.split("-")[0] == "en":
        return "en"
    return None


def language_from_header(header: str) -> str | None:
    for tag, _quality in parse_accept_lang_header(header):
        language = supported_language(tag)
        if language:
            return language
    return None


def _request_user(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Token "):
        from rest_framework.authtoken.models import Token

        token = (
            Token.objects.select_related("user")
            .filter(key=auth[len("Token ") :].strip())
            .first()
        )
        if token and token.user.is_active:
            return token.user
    return None


def language_for_user(user) -> str | None:
    if user is None:
        return None
    if user.language:
        return user.language
    membership = (
        user.memberships.filter(is_active=True)
        .select_related("company")
        .order_by("created_at")
        .first()
    )
    return membership.company.language if membership else None


class RequestLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_from_header(request.headers.get("Accept-Language", ""))
        if language is None and not request.path.startswith(("/static/", "/health")):
            language = language_for_user(_request_user(request))
        language = language or settings.LANGUAGE_CODE

        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)

        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
