"""Request middleware of the core: text input in NFC, Vietnamese first, rights of the day."""

import unicodedata


def _normalise(querydict):
    if not querydict:
        return querydict
    copy = querydict.copy()
    for key in list(copy.keys()):
        copy.setlist(key, [unicodedata.normalize("NFC", v) for v in copy.getlist(key)])
    copy._mutable = False
    return copy


class NFCInputMiddleware:
    """Normalise GET and POST values to NFC so the same word is stored and searched one way."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _normalise(request.GET)
        if request.method == "POST":
            # Uploaded files stay untouched; only the text fields are normalised.
            request.POST = _normalise(request.POST)
        return self.get_response(request)


class VietnameseFirstMiddleware:
    """Vietnamese unless the person chose otherwise (language cookie, or their admin preference):
    the browser's Accept-Language is ignored, so an English-configured browser in an agency still
    gets the Vietnamese UI by default, with English one click away."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class DailyRightsMiddleware:
    """A signed-in person's Wagtail rights are recomputed on their first request of the day, so a
    membership that starts or ends today takes effect even when the nightly sync did not run."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from qms.services.rights import rights_sync_if_new_day

        rights_sync_if_new_day(request)
        return self.get_response(request)


class PermissionCacheMiddleware:
    """One permission cache per request (qms.permissions.request_cache): the rows a relation grants
    are read once, whatever the number of rows a page asks about."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from qms.permissions import request_cache

        with request_cache():
            return self.get_response(request)


class ProtectedDeleteMiddleware:
    """A deletion refused by the database's protection (a document a conformity announcement,
    a certificate or a piece of evidence points to; ``on_delete=PROTECT``) names the records that
    hold it, never a server error: 409 with JSON for the admin's upload screens, otherwise a
    message and back to the page the request came from. Wagtail's delete screens already show the
    usage; this covers the views that delete without asking (multiple upload, bulk actions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.contrib import messages
        from django.db.models import ProtectedError, RestrictedError
        from django.http import HttpResponseRedirect, JsonResponse
        from django.utils.http import url_has_allowed_host_and_scheme
        from django.utils.translation import gettext as _

        if not isinstance(exception, ProtectedError | RestrictedError):
            return None
        holders = sorted({str(obj) for obj in exception.args[1]})[:5]
        message = _("Không xóa được: đang được dùng bởi %(holders)s.") % {
            "holders": "; ".join(holders)
        }
        wants_json = request.headers.get("x-requested-with") == "XMLHttpRequest" or (
            "application/json" in request.headers.get("accept", "")
        )
        if wants_json:
            return JsonResponse({"success": False, "error_message": message}, status=409)
        messages.error(request, message)
        back = request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = "/admin/"
        response = HttpResponseRedirect(back)
        response.status_code = 303
        return response
