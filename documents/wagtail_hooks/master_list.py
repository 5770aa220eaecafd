"""Admin wiring of documents: the document list (danh mục tài liệu) of the agencies in one's scope,
filterable by agency (with its units) and status, exported to XLSX and PDF."""

import django_filters
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets.button import Button

from documents.master_list import ProcedureStatus, master_list
from documents.models import ProcedurePage
from qms import pdf, permissions
from qms.filters import AgencySubtreeFilter
from qms.models import Role
from qms.viewsets import ScopedIndexView

RESOURCE = "procedurepage"
# Every member reads their agency's document list (and units'); leaders and officers above read
# their whole subtree's. Auditors read it by relation while an audit is open ([5]).
permissions.register_rules(RESOURCE, {permissions.VIEW: {Role.OFFICER, Role.LEADER, Role.STAFF}})


class DocumentListFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=RESOURCE)
    status = django_filters.ChoiceFilter(label=_("Tình trạng"), choices=ProcedureStatus.choices)

    class Meta:
        model = ProcedurePage
        fields = []


class DocumentListView(ScopedIndexView):
    model = ProcedurePage
    permission_policy = permissions.policy_for(ProcedurePage, RESOURCE)
    any_permission_required = [permissions.VIEW]
    index_url_name = "documents_list"
    index_results_url_name = "documents_list_results"
    page_title = _("Danh mục tài liệu")
    header_icon = "doc-full"
    filterset_class = DocumentListFilterSet
    default_ordering = "code"
    # The ORM, not the search index (the list is annotated): code and title, case-insensitive.
    search_backend_name = None
    search_fields = ["code", "title"]
    export_filename = "danh-muc-tai-lieu"
    list_export = [
        "code",
        "title",
        "agency",
        "issue_number",
        "effective_date",
        "status_label",
        "next_review",
    ]
    export_headings = {
        "code": _("Mã tài liệu"),
        "title": _("Tên quy trình"),
        "agency": _("Cơ quan, đơn vị"),
        "issue_number": _("Lần ban hành"),
        "effective_date": _("Ngày hiệu lực"),
        "status_label": _("Tình trạng"),
        "next_review": _("Rà soát tiếp theo"),
    }

    def get_base_queryset(self):
        return master_list(super().get_base_queryset())

    @property
    def list_display(self):
        return [
            "code",
            "title",
            Column("agency", label=_("Cơ quan, đơn vị"), accessor="agency"),
            Column("issue_number", label=_("Lần ban hành"), sort_key="issue_number"),
            Column(
                "effective_date",
                label=_("Ngày hiệu lực"),
                sort_key="effective_date",
                accessor=lambda p: _day(p.effective_date),
            ),
            Column("status", label=_("Tình trạng"), accessor=_status_label),
            Column(
                "next_review",
                label=_("Rà soát tiếp theo"),
                sort_key="next_review",
                accessor=lambda p: _day(p.next_review),
            ),
        ]

    @cached_property
    def header_more_buttons(self):
        query = self.request.GET.urlencode()
        url = reverse("documents_list_pdf") + (f"?{query}" if query else "")
        return [*super().header_more_buttons, Button(_("Tải PDF"), url=url, icon_name="download")]

    def get_edit_url(self, instance):
        if instance.permissions_for_user(self.request.user).can_edit():
            return reverse("wagtailadmin_pages:edit", args=[instance.pk])
        return None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.shared and instance.live:
            from wagtail.admin.ui.menus import MenuItem as ListMenuItem

            from documents.wagtail_hooks.shared import adopt_url, adoptable_agencies

            if adoptable_agencies(self.request.user, instance):
                buttons.append(
                    ListMenuItem(
                        _("Xây dựng quy trình riêng"),
                        url=adopt_url(instance),
                        icon_name="copy",
                        priority=40,
                    )
                )
        return buttons

    def to_row_dict(self, item):
        item.status_label = _status_label(item)
        return super().to_row_dict(item)


class DocumentListPdfView(DocumentListView):
    """The same list (same scope, filters, search and order) printed on A4."""

    def get(self, request, *args, **kwargs):
        rows = list(self.get_queryset())
        document = pdf.Document(title=str(self.page_title), footer=str(self.page_title))
        agency = self.filters.form.cleaned_data.get("agency") if self.filters else None
        document.title_block(
            str(self.page_title).upper(),
            left=[agency.name] if agency else [],
            right=[(_("Ngày in"), timezone.localdate().strftime("%d/%m/%Y"))],
        )
        headings = [str(self.export_headings[f]) for f in self.list_export]
        document.table(
            [
                headings,
                *(
                    [
                        p.code,
                        p.title,
                        p.agency.display_name,
                        p.issue_number or "",
                        p.effective_date.strftime("%d/%m/%Y") if p.effective_date else "",
                        _status_label(p),
                        p.next_review.strftime("%d/%m/%Y") if p.next_review else "",
                    ]
                    for p in rows
                ),
            ],
            widths=(2, 5, 3, 1.2, 1.8, 1.8, 1.8),
        )
        return pdf.response(document.render(), "danh-muc-tai-lieu.pdf")


def _day(value) -> str:
    """A date as the document list prints it (dd/mm/yyyy), not Wagtail's "1 năm trước"."""
    return value.strftime("%d/%m/%Y") if value else "—"


def _status_label(procedure) -> str:
    return ProcedureStatus(procedure.status).label


@hooks.register("register_admin_urls")
def register_document_list_urls():
    return [
        path("documents-list/", DocumentListView.as_view(), name="documents_list"),
        path(
            "documents-list/results/",
            DocumentListView.as_view(results_only=True),
            name="documents_list_results",
        ),
        path("documents-list/pdf/", DocumentListPdfView.as_view(), name="documents_list_pdf"),
    ]


class DocumentListMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.has_permission(request.user, RESOURCE, permissions.VIEW)


@hooks.register("register_admin_menu_item")
def register_document_list_menu_item():
    return DocumentListMenuItem(
        _("Danh mục tài liệu"), reverse("documents_list"), icon_name="doc-full", order=70
    )
