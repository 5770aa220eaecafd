"""Small public views of the core: health check, favicon and the one way stored files are served."""

import mimetypes

from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_safe
from wagtail.images import get_image_model

from qms import permissions


@require_safe
def favicon(request):
    """Browsers ask /favicon.ico on their own; the icon itself is a static file."""
    return redirect(static("qms/favicon.ico"), permanent=True)


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _image_for(name: str):
    """The image a stored file belongs to: an original or one of its renditions."""
    Image = get_image_model()
    if name.startswith("original_images/"):
        return Image.objects.filter(file=name).first()
    if name.startswith("images/"):
        rendition = (
            Image.get_rendition_model()
            .objects.filter(file=name)
            .select_related("image__collection")
            .first()
        )
        return rendition.image if rendition else None
    return None


@require_safe
def media(request, name: str):
    """Files under MEDIA_ROOT, never served directly: an image (original or rendition) only to
    whoever the policy lets read it; documents only through Wagtail's serve view
    (/documents/<id>/<name>, checked by the ``before_serve_document`` hook); anything else 404."""
    if ".." in name.split("/"):
        raise Http404
    image = _image_for(name)
    if image is None or not permissions.may_read_file(request.user, image):
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=mimetypes.guess_type(name)[0])
    # Private files must not sit in shared caches (a public image is cacheable, but a proxy
    # cannot tell which is which).
    response["Cache-Control"] = "private, max-age=3600"
    return response
