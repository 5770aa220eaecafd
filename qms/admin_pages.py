"""Admin views of the core: the notification inbox."""

import datetime

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from wagtail.admin.auth import user_passes_test
from wagtail.admin.views import workflows as workflow_views
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView

from qms import permissions, selectors, tabular
from qms.models import Notification
from qms.services import catalogue
from qms.services.notifications import notification_mark_read


def inbox(request):
    queryset = Notification.objects.filter(recipient=request.user)
    page = Paginator(queryset, 30).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "qms/inbox.html",
        {
            "page_obj": page,
            "unread": selectors.unread_notification_count(request.user),
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


# Wagtail's test: a signed-in person who is not an administrator is sent to the dashboard with
# "no permission" (never back to the login page, which would send them here again).
_admins_only = user_passes_test(permissions.is_admin)
site_history = _admins_only(LogEntriesView.as_view())
site_history_results = _admins_only(LogEntriesView.as_view(results_only=True))
# Workflow tasks are configured by administrators; their names may name an agency's reviewers.
task_chooser = _admins_only(workflow_views.TaskChooserView.as_view())
task_chooser_results = _admins_only(workflow_views.TaskChooserResultsView.as_view())
task_chooser_create = _admins_only(workflow_views.TaskChooserCreateView.as_view())
task_chosen = _admins_only(workflow_views.task_chosen)
# The page-types report shows, per type, the last edited page of any agency (a draft title too).
page_types_usage = _admins_only(PageTypesUsageReportView.as_view())
page_types_usage_results = _admins_only(PageTypesUsageReportView.as_view(results_only=True))


class CatalogueImportForm(forms.Form):
    file = forms.FileField(label=_lazy("Tệp CSV (UTF-8 hoặc Windows-1258) hoặc XLSX"))
    dry_run = forms.BooleanField(
        label=_lazy("Chỉ kiểm tra, không ghi"), required=False, initial=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Tối đa %s.") % filesizeformat(tabular.max_bytes())


@_admins_only
def catalogue_import(request):
    """Upload the TTHC catalogue (CSV or XLSX): every row is checked first; one bad row rejects all."""
    result, errors = None, []
    form = CatalogueImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = catalogue.catalogue_import(
                actor=request.user,
                file=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except tabular.TabularError as exc:
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


def user_guide(request):
    """qms's own user guide (roles and daily tasks), where Wagtail's help menu pointed elsewhere."""
    return TemplateResponse(
        request, "qms/user_guide.html", {"header_title": _("Hướng dẫn sử dụng")}
    )
