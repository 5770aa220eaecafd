"""The dossier API of qms (issue 11): events from one-stop systems, dossiers and metrics of the
caller's agencies, with its OpenAPI schema at /api/v1/openapi.json and docs at /api/v1/docs.

Mounted by ``indicators/public_urls.py`` (found by the core). Only this API is mounted: Wagtail's
own v3 routes (pages, sites) are not; administrators manage tokens in Wagtail's token admin.
Views are thin: events go through ``indicators.services.events``, reads through
``indicators.selectors_api`` and ``indicators.selectors.metrics``.
"""

from django.http import JsonResponse
from django.http.request import RawPostDataException
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError

from .dossiers import router as dossiers_router
from .events import router as events_router
from .metrics import router as metrics_router

api = NinjaAPI(
    title="qms: API hồ sơ / dossier API",
    version="1",
    description=(
        "Sự kiện hồ sơ từ hệ thống một cửa, hồ sơ và chỉ số của cơ quan mình. "
        "Events of dossiers from one-stop systems (idempotent by event id), and the dossiers and "
        "on-time metrics of the caller's agencies. Authentication: `Authorization: Bearer "
        "<token>` (a Wagtail API token of a service account)."
    ),
    urls_namespace="qms_api",
    openapi_url="/openapi.json",
    docs_url="/docs",
)


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc):
    """422 naming each field (``loc``), the problem and the value sent."""
    errors = []
    for error in exc.errors:
        item = {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": ""}
        item["type"] = error.get("type", "")
        if "input" in error and not isinstance(error["input"], dict | list):
            item["value"] = str(error["input"])
        errors.append(item)
    return JsonResponse({"detail": errors}, status=422)


@api.exception_handler(RawPostDataException)
def _not_json(request, exc):
    """A form-encoded (multipart) body, already read by the middleware: the API reads JSON."""
    return JsonResponse(
        {"detail": "Content-Type: gửi thân yêu cầu dạng application/json / send a JSON body"},
        status=415,
    )


api.add_router("/events", events_router)
api.add_router("/dossiers", dossiers_router)
api.add_router("/metrics", metrics_router)
