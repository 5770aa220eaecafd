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
