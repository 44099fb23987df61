"""The API's root and its answer for paths it does not know."""

from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .exceptions import error_body

API_SECTIONS = {
    "auth": "/api/auth/users/me/",
    "companies": "/api/companies/",
    "appointments": "/api/appointments/",
    "notifications": "/api/notifications/",
    "feature_flags": "/api/feature-flags/flags/active/",
}


class ApiRootView(APIView):
    """Where each part of the API starts, and where its documentation is."""

    permission_classes = [AllowAny]

    @extend_schema(exclude=True)
    def get(self, request):
        absolute = request.build_absolute_uri
        links = {name: absolute(url) for name, url in API_SECTIONS.items()}
        links["schema"] = absolute(reverse("schema"))
        links["docs"] = absolute(reverse("docs"))
        return Response(links)


@csrf_exempt
def api_not_found(request, *args, **kwargs):
    """Unknown paths under /api/ answer in the API's error format.

    A GET of a known path without its trailing slash is redirected to it,
    as Django's APPEND_SLASH would do if this catch-all did not match first.
    """
    if request.method in ("GET", "HEAD") and not request.path.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            return HttpResponsePermanentRedirect(
                request.get_full_path(force_append_slash=True)
            )
    return JsonResponse(error_body("not_found", _("Not found.")), status=404)
