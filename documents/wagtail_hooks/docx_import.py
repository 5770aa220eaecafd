"""Admin wiring of documents: import an existing procedure from Word (.docx) into a new draft.

The form (admin/procedures/import/<agency page id>/) is for whoever may add a procedure under that
agency page (documents.services.docx_import.docx_import_allowed); anyone else gets 403, an id that
is not an agency page 404. It is reached from "Nhập từ Word" on the agency page (page header and
page listing) and from the page-type choice when adding a page there. After an import with
problems, the result page (admin/procedures/import/result/<page id>/) lists every cell that could
not be read, read back from the page's log, for whoever may edit the draft.
"""

import os

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.models import PageLogEntry

from documents.models import AgencyPage, ProcedurePage
from documents.services.docx_import import (
    IMPORT_ACTION,
    docx_import_allowed,
    procedure_import_docx,
)
from qms.people import person_name
from qms.uploads import validate_upload

DOCX_TYPES = ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DocxImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Tệp Word (.docx)"),
        widget=forms.ClearableFileInput(attrs={"accept": DOCX_TYPES}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Chỉ nhận tệp .docx, tối đa %(limit)s.") % {
            "limit": filesizeformat(settings.QMS_UPLOAD_MAX_BYTES)
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if os.path.splitext(upload.name)[1].lower() != ".docx":
            raise ValidationError(
                _(
                    "Chỉ nhận tệp Word .docx; tệp “%(name)s” không phải. Với tệp .doc cũ, hãy mở "
                    "bằng Word và lưu lại dưới dạng “Word Document (*.docx)”."
                )
                % {"name": upload.name}
            )
        validate_upload(upload)  # the core's size cap and content check
        return upload


def _agency_page(request, agency_page_id) -> AgencyPage:
    page = get_object_or_404(AgencyPage, pk=agency_page_id)
    if not docx_import_allowed(request.user, page):
        raise PermissionDenied
    return page


def docx_import(request, agency_page_id):
    """Upload a .docx; a new draft is created and the officer goes on to check it."""
    agency_page = _agency_page(request, agency_page_id)
    form = DocxImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            page, problems = procedure_import_docx(
                actor=request.user, agency_page=agency_page, fileobj=upload, filename=upload.name
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("file", message)
        else:
            if problems:
                messages.warning(
                    request,
                    _(
                        "Đã nhập “%(title)s” thành bản dự thảo (chưa trình duyệt, chưa ban hành); "
                        "%(count)d chỗ chưa đọc được, hãy kiểm tra và sửa."
                    )
                    % {"title": page.get_admin_display_title(), "count": len(problems)},
                )
                return redirect("documents_docx_import_result", page.pk)
            messages.success(
                request,
                _(
                    "Đã nhập “%(title)s” thành bản dự thảo (chưa trình duyệt, chưa ban hành): hãy "
                    "kiểm tra trước khi trình duyệt."
                )
                % {"title": page.get_admin_display_title()},
            )
            return redirect("wagtailadmin_pages:edit", page.pk)
    return TemplateResponse(
        request,
        "documents/admin/docx_import.html",
        {
            "form": form,
            "agency_page": agency_page,
            "header_title": _("Nhập quy trình từ Word"),
            "header_subtitle": agency_page.title,
        },
    )


def docx_import_result(request, page_id):
    """What an import read and what it could not, for whoever may edit the draft."""
    page = get_object_or_404(ProcedurePage, pk=page_id)
    if not page.permissions_for_user(request.user).can_edit():
        raise Http404
    entry = (
        PageLogEntry.objects.filter(page_id=page.pk, action=IMPORT_ACTION)
        .select_related("user")
        .order_by("-timestamp", "-pk")
        .first()
    )
    data = entry.data if entry is not None else {}
    return TemplateResponse(
        request,
        "documents/admin/docx_import_result.html",
        {
            "page": page,
            "entry": entry,
            "importer": person_name(entry.user) if entry is not None else "",
            "filename": data.get("filename", ""),
            "problems": data.get("problems", []),
            "tables": data.get("tables", 0),
            "steps": data.get("steps", 0),
            "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
            "header_title": _("Kết quả nhập từ Word"),
            "header_subtitle": page.get_admin_display_title(),
        },
    )


@hooks.register("register_admin_urls")
def register_docx_import_urls():
    # Not under admin/documents/: Wagtail's sidebar marks "Tài liệu" (its documents, at that
    # prefix) as the current menu item for every URL starting with it.
    return [
        path(
            "procedures/import/<int:agency_page_id>/",
            docx_import,
            name="documents_docx_import",
        ),
        path(
            "procedures/import/result/<int:page_id>/",
            docx_import_result,
            name="documents_docx_import_result",
        ),
    ]


@hooks.register("register_log_actions")
def register_docx_import_log_action(actions):
    label = gettext_lazy("Nhập từ tệp Word")
    actions.register_action(IMPORT_ACTION, label, label)


class DocxImportButton(PageMenuItem):
    """ "Nhập từ Word" on an agency page, for those who may add a procedure under it (no query:
    the page listing asks it for every row)."""

    label = gettext_lazy("Nhập từ Word")
    icon_name = "upload"
    url_name = "documents_docx_import"

    def is_shown(self, user):
        return docx_import_allowed(user, self.page)


@hooks.register("register_page_listing_more_buttons")
def page_listing_docx_import_button(page, user, next_url=None):
    yield DocxImportButton(page=page, priority=9)


@hooks.register("register_page_header_buttons")
def page_header_docx_import_button(page, user, view_name, next_url=None):
    yield DocxImportButton(page=page, priority=16)
