"""Admin views of the core: the notification inbox."""

import datetime

from django import forms
from django.contrib.auth.decorators import user_passes_test
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from wagtail.admin.views.reports.audit_logging import LogEntriesView

from qms import permissions, selectors
from qms.models import Notification
from qms.services.catalogue import CatalogueImportError, catalogue_import_csv
from qms.services.notifications import notification_mark_read


def inbox(request):
    queryset = Notification.objects.filter(recipient=request.user)
    page = Paginator(queryset, 30).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "qms/inbox.html",
        {
            "page_obj": page,
            "unread": queryset.filter(read_at__isnull=True).count(),
            "header_title": _("Thông báo"),
        },
    )


@require_POST
def inbox_mark_read(request):
    ids = request.POST.getlist("id")
    notification_mark_read(
        user=request.user, notification_ids=[int(i) for i in ids if i.isdigit()] if ids else None
    )
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("qms_inbox")


_admins_only = user_passes_test(permissions.is_admin, login_url="wagtailadmin_login")
site_history = _admins_only(LogEntriesView.as_view())
site_history_results = _admins_only(LogEntriesView.as_view(results_only=True))


class CatalogueImportForm(forms.Form):
    file = forms.FileField(label=_lazy("Tệp CSV (UTF-8)"))
    dry_run = forms.BooleanField(
        label=_lazy("Chỉ kiểm tra, không ghi"), required=False, initial=True
    )


@_admins_only
def catalogue_import(request):
    """Upload the TTHC catalogue as CSV: every row is checked first; one bad row rejects the file."""
    result, errors = None, []
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = catalogue_import_csv(
                actor=request.user,
                file=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except CatalogueImportError as exc:
            errors = exc.messages
    return TemplateResponse(
        request,
        "qms/catalogue_import.html",
        {"form": form, "result": result, "errors": errors, "header_title": _("Nhập danh mục TTHC")},
    )


def working_calendar(request):
    """The working calendar month by month, so people see which days count and why."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
        datetime.date(year, month, 1)
    except ValueError:
        year, month = today.year, today.month
    data = selectors.calendar_month(year, month, language=get_language())
    previous = datetime.date(year, month, 1) - datetime.timedelta(days=1)
    following = datetime.date(year, month, 28) + datetime.timedelta(days=7)
    return TemplateResponse(
        request,
        "qms/working_calendar.html",
        {
            **data,
            "previous": previous.replace(day=1),
            "following": following.replace(day=1),
            "header_title": _("Lịch làm việc"),
        },
    )
