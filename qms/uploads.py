"""What an uploaded file may be: a size cap and a type checked by content as well as by extension.

Used by the Wagtail document form (``WAGTAILDOCS_DOCUMENT_FORM_BASE``) for every document upload;
images are checked by Wagtail itself (Willow reads the content and compares the extension) with the
same size cap (``WAGTAILIMAGES_MAX_UPLOAD_SIZE``).
"""

import os
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.documents.forms import BaseDocumentForm
from wagtail.images.forms import BaseImageForm
from wagtail.models import Collection

_SNIFF = 64 * 1024


def _zip_names(head: bytes, file) -> set[str] | None:
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        file.seek(0)


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "cp1258"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the sniffed block is still text.
            if encoding == "utf-8" and exc.start >= len(head) - 3:
                return True
    return False


def _content_matches(extension: str, head: bytes, file) -> bool:
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension in ("docx", "xlsx", "odt", "zip"):
        names = _zip_names(head, file)
        if names is None:
            return False
        if extension == "docx":
            return "[Content_Types].xml" in names and any(n.startswith("word/") for n in names)
        if extension == "xlsx":
            return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)
        if extension == "odt":
            return "mimetype" in names and "content.xml" in names
        return True
    if extension in ("csv", "txt"):
        return _is_text(head)
    return False


def validate_upload(file) -> None:
    """Refuse a file over the size cap or whose content is not what its extension says."""
    limit = settings.QMS_UPLOAD_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise ValidationError(
            _("Tệp “%(name)s” có dung lượng %(size)s, vượt giới hạn %(limit)s.")
            % {
                "name": file.name,
                "size": filesizeformat(file.size),
                "limit": filesizeformat(limit),
            },
            code="file_too_large",
        )
    extension = os.path.splitext(file.name)[1].lower().lstrip(".")
    file.seek(0)
    head = file.read(_SNIFF)
    file.seek(0)
    if isinstance(head, str):  # a text stream in tests
        head = head.encode()
    if not _content_matches(extension, head, file):
        raise ValidationError(
            _(
                "Nội dung tệp “%(name)s” không phải là tệp .%(extension)s như phần mở rộng của "
                "nó: hãy kiểm tra lại tệp (có thể tệp bị hỏng hoặc bị đổi tên)."
            )
            % {"name": file.name, "extension": extension},
            code="file_type_mismatch",
        )


class AgenciesInForceMixin:
    """Files go to the collection of an agency in force: a body ended in the 2025 reform (and its
    units) keeps its files but takes no new ones."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("collection")
        if field is not None:
            from qms.models import Agency

            ended = Agency.objects.filter(valid_to__lt=timezone.localdate())
            closed = Collection.objects.none()
            for agency in ended.exclude(collection=None).select_related("collection"):
                closed |= Collection.objects.descendant_of(agency.collection, inclusive=True)
            current = getattr(self.instance, "collection_id", None)
            field.queryset = field.queryset.exclude(pk__in=closed.exclude(pk=current).values("pk"))


class DocumentForm(AgenciesInForceMixin, BaseDocumentForm):
    """Wagtail's document form with the upload checks above."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            self.fields["file"].help_text = _("Tệp %(types)s, tối đa %(limit)s.") % {
                "types": ", ".join(e.upper() for e in settings.WAGTAILDOCS_EXTENSIONS),
                "limit": filesizeformat(settings.QMS_UPLOAD_MAX_BYTES),
            }

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if file and "file" in self.changed_data:
            validate_upload(file)
        return file


class ImageForm(AgenciesInForceMixin, BaseImageForm):
    """Wagtail's image form, into the collections of agencies in force."""
