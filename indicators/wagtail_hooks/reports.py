"""Admin pages of the reports (issue [9] item 7), in the "Hồ sơ và chỉ số" group:

- ``indicators_reports`` ("Báo cáo HTQLCL năm"): a small form, an agency among those whose
  reports the person may read (``QMS_REPORT`` VIEW: officers and leaders of the agency or above)
  and a year;
- ``indicators_annual_report`` (``indicators/reports/annual/?agency=<pk>&year=<yyyy>``): the
  annual report's PDF (``indicators.reports.annual.annual_report``). No right to any report: 403;
  an agency outside the person's scope, or none such: 404. Without ``agency`` the person's own
  agency, without ``year`` this year.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from indicators.rules import QMS_REPORT
from indicators.wagtail_hooks.menu import MENU_HOOK
from qms import pdf, permissions

FIRST_YEAR = 2000
YEARS_OFFERED = 5


def offered_agencies(user):
    return (
        permissions.assignable_agencies(user, QMS_REPORT, permissions.VIEW)
        .select_related("parent")
        .order_by("path")
    )


def own_agency(user, offered):
    """The agency a person reports on by default: where they hold a keeper's role, else the first
    one offered (None: none)."""
    offered_ids = set(offered.values_list("pk", flat=True))
    keepers = permissions.allowed_roles(QMS_REPORT, permissions.VIEW)
    for membership in permissions.active_memberships(user):
        if membership.role in keepers and membership.agency_id in offered_ids:
            return offered.get(pk=membership.agency_id)
    return offered.first()


def _readers_only(request):
    if not permissions.has_permission(request.user, QMS_REPORT, permissions.VIEW):
        raise PermissionDenied


class AnnualReportForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=gettext_lazy("Cơ quan, đơn vị"),
        queryset=None,
        empty_label=None,
        help_text=gettext_lazy("Báo cáo gồm số liệu của các đơn vị trực thuộc."),
    )
    year = forms.TypedChoiceField(label=gettext_lazy("Năm báo cáo"), coerce=int)

    def __init__(self, *args, agencies, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["agency"].label_from_instance = lambda a: a.display_name
        self.fields["year"].choices = [
            (year, str(year)) for year in range(today.year, today.year - YEARS_OFFERED, -1)
        ]


class AnnualReportFormView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "indicators/reports/annual_form.html"
    page_title = gettext_lazy("Báo cáo HTQLCL năm")
    header_icon = "doc-full"

    def dispatch(self, request, *args, **kwargs):
        _readers_only(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        offered = offered_agencies(self.request.user)
        # A link from the dashboard names the agency and year: preselect them when offered.
        asked = self.request.GET.get("agency", "")
        agency = (offered.filter(pk=int(asked)).first() if asked.isdigit() else None) or (
            own_agency(self.request.user, offered)
        )
        year = self.request.GET.get("year", "")
        year = int(year) if year.isdigit() and FIRST_YEAR <= int(year) <= today.year else today.year
        context["form"] = AnnualReportForm(
            initial={"agency": agency.pk if agency else None, "year": year},
            agencies=offered,
            today=today,
        )
        context["action"] = reverse("indicators_annual_report")
        return context


class AnnualReportView(View):
    def get(self, request):
        from indicators.reports.annual import annual_report

        _readers_only(request)
        offered = offered_agencies(request.user)
        raw = request.GET.get("agency", "")
        if raw:
            if not raw.isdigit():
                raise Http404
            agency = offered.filter(pk=int(raw)).first()
        else:
            agency = own_agency(request.user, offered)
        if agency is None:
            raise Http404
        today = timezone.localdate()
        raw_year = request.GET.get("year", "")
        if raw_year and not raw_year.isdigit():
            raise Http404
        year = int(raw_year) if raw_year else today.year
        if not FIRST_YEAR <= year <= today.year:
            raise Http404
        document = annual_report(agency, year)
        return pdf.response(document.render(), f"bao-cao-htqlcl-{agency.code}-{year}.pdf")


class ReportsMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.has_permission(request.user, QMS_REPORT, permissions.VIEW)


@hooks.register("register_admin_urls")
def register_reports_urls():
    return [
        path("indicators/reports/", AnnualReportFormView.as_view(), name="indicators_reports"),
        path(
            "indicators/reports/annual/",
            AnnualReportView.as_view(),
            name="indicators_annual_report",
        ),
    ]


@hooks.register(MENU_HOOK)
def register_reports_menu_item():
    return ReportsMenuItem(
        gettext_lazy("Báo cáo HTQLCL năm"),
        reverse("indicators_reports"),
        icon_name="doc-full",
        order=90,
    )
