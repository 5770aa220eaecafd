"""Admin wiring of documents: the review of procedures ("Rà soát quy trình": due, overdue, every
open review, closed ones; the TTHC handled without a procedure in force) and the register of legal
documents procedures cite.

A review is read-only: it ends only by the transitions "no change" and "needs revision" (the
latter then opens the procedure's edit page for the new draft), each the service
``documents.services.review.review_close``. Saving a legal document goes through
``legal_document_record``, so recording one that amends or replaces others opens the reviews.
"""

import django_filters
from django import forms
from django.contrib import messages
from django.db.models import OuterRef, Prefetch, Subquery
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem, WagtailMenuRegisterableGroup
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from documents import rules_review as rules
from documents.models import (
    LegalCitation,
    LegalDocument,
    ProcedureIssue,
    ProcedurePage,
    ProcedureReview,
    ReviewOutcome,
    ReviewReason,
)
from documents.selectors import in_force_on_q
from documents.selectors_review import (
    due_q,
    open_reviews,
    overdue_q,
    review_gaps,
    review_state,
)
from documents.services.review import (
    legal_document_record,
    review_admin_needs_revision,
    review_admin_no_change,
)
from documents.wagtail_hooks.issues import issue_links
from qms import permissions
from qms.choosers import agency_chooser_viewset
from qms.display import EMPTY
from qms.filters import AgencySubtreeFilter
from qms.models import HandlingAgency, TimeLimit
from qms.models.catalogue import working_days_label
from qms.viewsets import (
    AgencyScopedViewSet,
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
    TransitionView,
)

permissions.register_policy(ProcedureReview)
permissions.register_policy(LegalDocument)
MENU_HOOK = "register_documents_review_menu_item"


# --- Reviews -----------------------------------------------------------------------------------


class ReviewState:
    DUE, OVERDUE, CLOSED = "due", "overdue", "closed"
    CHOICES = (
        (DUE, gettext_lazy("Đến hạn trong 30 ngày")),
        (OVERDUE, gettext_lazy("Quá hạn")),
        (CLOSED, gettext_lazy("Đã kết thúc")),
    )


class ReviewFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(
        label=gettext_lazy("Tình trạng"),
        choices=ReviewState.CHOICES,
        method="filter_state",
        empty_label=gettext_lazy("Tất cả đang mở"),
    )
    reason = django_filters.ChoiceFilter(label=gettext_lazy("Lý do"), choices=ReviewReason.choices)
    agency = AgencySubtreeFilter(resource=rules.REVIEW, path_lookup="procedure__agency__path")

    class Meta:
        model = ProcedureReview
        fields = []

    def filter_state(self, queryset, name, value):
        today = timezone.localdate()
        if value == ReviewState.DUE:
            return queryset.filter(due_q(today))
        if value == ReviewState.OVERDUE:
            return queryset.filter(overdue_q(today))
        return queryset


def _procedure_label(review) -> str:
    return f"{review.procedure.code} – {review.procedure.title}"


def _agency_label(review) -> str:
    return review.procedure.agency.display_name


def _reason_label(review) -> str:
    """The reason with what caused it: the new legal document's number, the TTHC's code."""
    label = review.get_reason_display()
    if review.reason == ReviewReason.LEGAL_CHANGE and review.legal_document_id:
        return _("%(reason)s: %(number)s") % {
            "reason": label,
            "number": review.legal_document.number,
        }
    if review.tthc_id:
        return _("%(reason)s: %(code)s") % {"reason": label, "code": review.tthc.code}
    return label


def _reason_cell(review):
    """The reason in bold, what it is about below (the documents' numbers, the excess)."""
    return format_html(
        '<strong>{}</strong><br><span class="w-text-14">{}</span>',
        _reason_label(review),
        review.detail,
    )


def _over_limit_label(review) -> str:
    if review.reason != ReviewReason.TIME_LIMIT_CHANGE:
        return EMPTY
    return _("Vượt thời hạn mới") if review.over_limit else _("Trong thời hạn")


class ReviewIndexView(ScopedIndexView):
    """Open reviews of procedures in force by default; ``?state=closed`` the closed ones."""

    def get_base_queryset(self):
        queryset = (
            super()
            .get_base_queryset()
            .select_related("procedure__agency__parent", "legal_document", "tthc", "closed_by")
        )
        if self.request.GET.get("state") == ReviewState.CLOSED:
            return queryset.exclude(outcome=ReviewOutcome.OPEN)
        return open_reviews(queryset)

    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)

        def get_url(instance):
            return self.get_inspect_url(instance)

        return column_class(
            "procedure", label=_("Quy trình"), accessor=_procedure_label, get_url=get_url
        )

    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            Button(
                _("TTHC chưa có quy trình"),
                url=reverse("documents_review_gaps"),
                icon_name="warning",
            ),
        ]

    def to_row_dict(self, item):
        item.procedure_label = _procedure_label(item)
        item.agency_label = _agency_label(item)
        item.reason_label = _reason_label(item)
        item.state_label = review_state(item)
        item.over_limit_label = _over_limit_label(item)
        return super().to_row_dict(item)


class ReviewInspectView(ScopedInspectView):
    def get_field_label(self, field_name, field):
        labels = {
            "agency": _("Cơ quan, đơn vị"),
            "state": _("Tình trạng"),
            "edit": _("Sửa quy trình"),
        }
        return labels.get(field_name) or super().get_field_label(field_name, field)

    def get_procedure_display_value(self):
        return _procedure_label(self.object)

    def get_agency_display_value(self):
        return _agency_label(self.object)

    def get_reason_display_value(self):
        return _reason_label(self.object)

    def get_state_display_value(self):
        return review_state(self.object)

    def get_over_limit_display_value(self):
        return _over_limit_label(self.object)

    def get_closed_by_display_value(self):
        from qms.people import person_name

        return person_name(self.object.closed_by) if self.object.closed_by_id else None

    def get_edit_display_value(self):
        page = self.object.procedure
        if not page.permissions_for_user(self.request.user).can_edit():
            return None
        return format_html(
            '<a href="{}">{}</a>',
            reverse("wagtailadmin_pages:edit", args=[page.pk]),
            _("Soạn dự thảo lần ban hành mới"),
        )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Ghi chú rà soát"),
        widget=forms.Textarea({"rows": 3}),
        required=False,
        help_text=gettext_lazy(
            "Ví dụ: Đã đối chiếu Nghị định …; quy trình vẫn phù hợp. Với “Cần sửa đổi”: các nội "
            "dung phải sửa."
        ),
    )


class ReviewTransitionView(TransitionView):
    """After "needs revision", straight to the procedure's edit page for the new draft."""

    def form_valid(self, form):
        response = super().form_valid(form)
        review = ProcedureReview.objects.get(pk=self.object.pk)
        if review.outcome == ReviewOutcome.NEEDS_REVISION and self.transition.name == (
            NEEDS_REVISION
        ):
            page = ProcedurePage.objects.get(pk=review.procedure_id)
            if page.permissions_for_user(self.request.user).can_edit():
                messages.info(
                    self.request,
                    _(
                        "Soạn dự thảo sửa đổi quy trình; chu kỳ rà soát bắt đầu lại khi lần ban hành "
                        "mới có hiệu lực."
                    ),
                )
                return redirect("wagtailadmin_pages:edit", page.pk)
        return response


NO_CHANGE, NEEDS_REVISION = "no_change", "needs_revision"


class ProcedureReviewViewSet(AgencyScopedViewSet):
    model = ProcedureReview
    resource = rules.REVIEW
    icon = "calendar-check"
    menu_label = gettext_lazy("Rà soát quy trình")
    menu_hook = MENU_HOOK
    read_only = True
    index_view_class = ReviewIndexView
    inspect_view_class = ReviewInspectView
    transition_view_class = ReviewTransitionView
    filterset_class = ReviewFilterSet
    list_display = [
        "procedure",
        Column("agency", label=gettext_lazy("Cơ quan, đơn vị"), accessor=_agency_label),
        Column("reason", label=gettext_lazy("Lý do"), accessor=_reason_cell),
        Column(
            "due_on",
            label=gettext_lazy("Hạn rà soát"),
            accessor=lambda review: review.due_on.strftime("%d/%m/%Y"),
            sort_key="due_on",
        ),
        Column("state", label=gettext_lazy("Tình trạng"), accessor=review_state),
        Column("over_limit", label=gettext_lazy("Thời hạn mới"), accessor=_over_limit_label),
    ]
    ordering = ["due_on", "pk"]
    search_fields = ["procedure__code", "procedure__title", "detail"]
    search_backend_name = None
    list_export = [
        "procedure_label",
        "agency_label",
        "reason_label",
        "detail",
        "due_on",
        "state_label",
        "over_limit_label",
        "note",
    ]
    export_headings = {
        "procedure_label": gettext_lazy("Quy trình"),
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "reason_label": gettext_lazy("Lý do"),
        "detail": gettext_lazy("Nội dung"),
        "due_on": gettext_lazy("Hạn rà soát"),
        "state_label": gettext_lazy("Tình trạng"),
        "over_limit_label": gettext_lazy("Thời hạn mới"),
        "note": gettext_lazy("Ghi chú"),
    }
    export_filename = "ra-soat-quy-trinh"
    # No add or edit view is routed; Wagtail builds their form class regardless.
    form_fields = ["note"]
    inspect_view_fields = [
        "procedure",
        "agency",
        "reason",
        "detail",
        "due_on",
        "state",
        "over_limit",
        "issue",
        "created_at",
        "closed_at",
        "closed_by",
        "note",
        "edit",
    ]
    transitions = (
        Transition(
            NO_CHANGE,
            gettext_lazy("Không cần sửa đổi"),
            service=review_admin_no_change,
            action=rules.CLOSE,
            available=lambda review: review.is_open,
            form_class=CloseForm,
            confirmation=gettext_lazy(
                "Ghi nhận đã rà soát, quy trình không cần sửa đổi. Với rà soát định kỳ, lần rà "
                "soát tiếp theo được tính từ hôm nay."
            ),
            icon="check",
        ),
        Transition(
            NEEDS_REVISION,
            gettext_lazy("Cần sửa đổi"),
            service=review_admin_needs_revision,
            action=rules.CLOSE,
            available=lambda review: review.is_open,
            form_class=CloseForm,
            confirmation=gettext_lazy(
                "Ghi nhận quy trình cần sửa đổi và mở trang soạn dự thảo lần ban hành mới; chu kỳ "
                "rà soát định kỳ bắt đầu lại khi lần ban hành mới có hiệu lực."
            ),
            icon="edit",
        ),
    )


# --- Gaps: TTHC an agency handles with no procedure in force -----------------------------------


class GapFilterSet(WagtailFilterSet):
    agency = AgencySubtreeFilter(resource=rules.REVIEW)

    class Meta:
        model = HandlingAgency
        fields = []


def _gap_agency(link) -> str:
    return link.agency.display_name


class GapIndexView(ScopedIndexView):
    """(Agency, TTHC) pairs of the person's scope with no procedure in force."""

    model = HandlingAgency
    permission_policy = permissions.policy_for(HandlingAgency, rules.REVIEW)
    any_permission_required = [permissions.VIEW]
    index_url_name = "documents_review_gaps"
    index_results_url_name = "documents_review_gaps_results"
    page_title = gettext_lazy("TTHC chưa có quy trình")
    header_icon = "warning"
    filterset_class = GapFilterSet
    default_ordering = "agency__path"
    search_backend_name = None
    search_fields = ["procedure__code", "procedure__name", "agency__name"]
    export_filename = "tthc-chua-co-quy-trinh"
    list_export = ["agency_label", "tthc_code", "tthc_name", "tthc_field", "time_limit"]
    export_headings = {
        "agency_label": gettext_lazy("Cơ quan, đơn vị"),
        "tthc_code": gettext_lazy("Mã TTHC"),
        "tthc_name": gettext_lazy("Tên thủ tục"),
        "tthc_field": gettext_lazy("Lĩnh vực"),
        "time_limit": gettext_lazy("Thời hạn giải quyết"),
    }

    def get_base_queryset(self):
        user = self.request.user
        gaps = review_gaps(within=self.permission_policy.scope_q(user, [permissions.VIEW]))
        limits = TimeLimit.objects.filter(procedure=OuterRef("procedure")).in_force_on(
            timezone.localdate()
        )
        return (
            HandlingAgency.objects.filter(pk__in=[g.pk for g in gaps])
            .select_related("agency__parent", "procedure")
            .annotate(working_days=Subquery(limits.values("working_days")[:1]))
        )

    @property
    def list_display(self):
        return [
            Column("agency", label=_("Cơ quan, đơn vị"), accessor=_gap_agency),
            Column("tthc_code", label=_("Mã TTHC"), accessor="procedure.code"),
            Column("tthc_name", label=_("Tên thủ tục"), accessor="procedure.name"),
            Column("tthc_field", label=_("Lĩnh vực"), accessor="procedure.field"),
        ]

    @cached_property
    def header_more_buttons(self):
        return [
            *super().header_more_buttons,
            Button(
                _("Rà soát quy trình"),
                url=reverse("procedure_reviews:index"),
                icon_name="calendar-check",
            ),
        ]

    def get_inspect_url(self, instance):
        return None

    def get_edit_url(self, instance):
        return None

    def get_delete_url(self, instance):
        return None

    @property
    def no_results_message(self):
        return _("Mọi thủ tục hành chính đều có quy trình đang áp dụng.")

    def to_row_dict(self, item):
        item.agency_label = _gap_agency(item)
        item.tthc_code = item.procedure.code
        item.tthc_name = item.procedure.name
        item.tthc_field = item.procedure.field
        item.time_limit = working_days_label(item.working_days)
        return super().to_row_dict(item)


# --- The legal register ---------------------------------------------------------------------------


def _numbers(text: str) -> list[str]:
    """Document numbers typed one a line (or separated by semicolons)."""
    return [n.strip() for line in (text or "").splitlines() for n in line.split(";") if n.strip()]


class LegalDocumentForm(WagtailAdminModelForm):
    # Typed numbers, matched in the register by their key (however they are written); a number
    # not yet in the register is added. Not the model's many-to-many fields: the service sets them.
    amends = forms.CharField(
        label=gettext_lazy("Sửa đổi, bổ sung văn bản"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=gettext_lazy(
            "Số, ký hiệu các văn bản được sửa đổi, bổ sung; mỗi dòng một văn bản."
        ),
    )
    replaces = forms.CharField(
        label=gettext_lazy("Thay thế văn bản"),
        required=False,
        widget=forms.Textarea({"rows": 2}),
        help_text=gettext_lazy(
            "Số, ký hiệu các văn bản bị thay thế; mỗi dòng một văn bản. Các quy trình đang trích "
            "dẫn văn bản bị sửa đổi, thay thế đến hạn rà soát trong 3 tháng kể từ ngày có hiệu lực "
            "của văn bản này."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("amends", "replaces"):
                self.initial[name] = "\n".join(
                    getattr(self.instance, name).order_by("number").values_list("number", flat=True)
                )

    def clean_amends(self):
        return _numbers(self.cleaned_data.get("amends"))

    def clean_replaces(self):
        return _numbers(self.cleaned_data.get("replaces"))


class LegalDocumentSaveMixin:
    """The register's service saves the row and its links, and opens the reviews it causes."""

    editing = False

    def save_instance(self):
        data = self.form.cleaned_data
        document = legal_document_record(
            actor=self.request.user,
            number=data["number"],
            title=data.get("title") or "",
            issuer=data.get("issuer") or "",
            issued_on=data.get("issued_on"),
            effective_on=data.get("effective_on"),
            amends=data.get("amends") or [],
            replaces=data.get("replaces") or [],
            agency=data.get("agency"),
            document=self.object if self.editing else None,
        )
        log(instance=document, action=self.log_action, user=self.request.user)
        if document.reviews_opened:
            messages.warning(
                self.request,
                _(
                    "%(count)d quy trình trích dẫn văn bản bị sửa đổi, thay thế đến hạn rà soát "
                    "trước %(due)s."
                )
                % {
                    "count": len({r.procedure_id for r in document.reviews_opened}),
                    "due": min(r.due_on for r in document.reviews_opened).strftime("%d/%m/%Y"),
                },
            )
        return document


class LegalDocumentCreateView(LegalDocumentSaveMixin, ScopedCreateView):
    pass


class LegalDocumentEditView(LegalDocumentSaveMixin, ScopedEditView):
    editing = True


def _numbers_of(rows) -> str:
    return "; ".join(d.number for d in rows) or EMPTY


class LegalDocumentIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return (
            super()
            .get_base_queryset()
            .select_related("agency__parent")
            .prefetch_related(
                Prefetch("amends", queryset=LegalDocument.objects.order_by("number")),
                Prefetch("replaces", queryset=LegalDocument.objects.order_by("number")),
            )
        )

    def to_row_dict(self, item):
        item.amends_label = _numbers_of(item.amends.all())
        item.replaces_label = _numbers_of(item.replaces.all())
        return super().to_row_dict(item)


class LegalDocumentInspectView(ScopedInspectView):
    def get_field_label(self, field_name, field):
        labels = {
            "amended_by": _("Được sửa đổi, bổ sung bởi"),
            "replaced_by": _("Bị thay thế bởi"),
            "citations": _("Quy trình đang trích dẫn"),
        }
        return labels.get(field_name) or super().get_field_label(field_name, field)

    def _links(self, rows):
        rows = list(rows.order_by("number"))
        if not rows:
            return None
        return format_html_join(
            "; ",
            '<a href="{}">{}</a>',
            ((reverse("legal_documents:inspect", args=[d.pk]), d.number) for d in rows),
        )

    def get_amends_display_value(self):
        return self._links(self.object.amends.all())

    def get_replaces_display_value(self):
        return self._links(self.object.replaces.all())

    def get_amended_by_display_value(self):
        return self._links(self.object.amended_by.all())

    def get_replaced_by_display_value(self):
        return self._links(self.object.replaced_by.all())

    def get_agency_display_value(self):
        return self.object.agency.display_name if self.object.agency_id else None

    def get_citations_display_value(self):
        """The issues in force that cite it, among those the reader may see."""
        visible = permissions.policy_for(ProcedureIssue).scope_q(
            self.request.user, [permissions.VIEW]
        )
        issues = (
            ProcedureIssue.objects.filter(
                visible,
                in_force_on_q(timezone.localdate()),
                pk__in=LegalCitation.objects.filter(legal_document=self.object).values("issue"),
            )
            .select_related("procedure__agency__parent")
            .order_by("code")
        )
        if not issues:
            return None
        return issue_links(issues)


class LegalDocumentViewSet(AgencyScopedViewSet):
    model = LegalDocument
    resource = rules.LEGAL_DOCUMENT
    icon = "doc-full"
    menu_label = gettext_lazy("Văn bản pháp lý")
    menu_hook = MENU_HOOK
    index_view_class = LegalDocumentIndexView
    add_view_class = LegalDocumentCreateView
    edit_view_class = LegalDocumentEditView
    inspect_view_class = LegalDocumentInspectView
    list_display = [
        "number",
        "title",
        "issuer",
        "issued_on",
        "effective_on",
        Column(
            "replaces",
            label=gettext_lazy("Thay thế"),
            accessor=lambda document: _numbers_of(document.replaces.all()),
        ),
        Column(
            "amends",
            label=gettext_lazy("Sửa đổi, bổ sung"),
            accessor=lambda document: _numbers_of(document.amends.all()),
        ),
    ]
    ordering = ["-issued_on", "number"]
    search_fields = ["number", "title", "issuer"]
    folded_search_fields = ["number_key"]
    search_backend_name = None
    list_export = [
        "number",
        "title",
        "issuer",
        "issued_on",
        "effective_on",
        "replaces_label",
        "amends_label",
    ]
    export_headings = {
        "replaces_label": gettext_lazy("Thay thế"),
        "amends_label": gettext_lazy("Sửa đổi, bổ sung"),
    }
    export_filename = "van-ban-phap-ly"
    edit_handler = ObjectList(
        [
            FieldPanel("number"),
            FieldPanel("title"),
            FieldPanel("issuer"),
            FieldPanel("issued_on"),
            FieldPanel("effective_on"),
            FieldPanel("replaces"),
            FieldPanel("amends"),
            FieldPanel("agency", widget=agency_chooser_viewset.widget_class),
        ],
        base_form_class=LegalDocumentForm,
    )
    inspect_view_fields = [
        "number",
        "title",
        "issuer",
        "issued_on",
        "effective_on",
        "replaces",
        "amends",
        "replaced_by",
        "amended_by",
        "agency",
        "citations",
    ]


# --- Menu and URLs --------------------------------------------------------------------------------


class ReviewGroup(WagtailMenuRegisterableGroup):
    menu_label = gettext_lazy("Rà soát quy trình")
    menu_icon = "calendar-check"
    menu_order = 76
    submenu_hook = MENU_HOOK


class GapMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.has_permission(request.user, rules.REVIEW, permissions.VIEW)


@hooks.register("register_admin_viewset")
def register_review_viewsets():
    return [
        ProcedureReviewViewSet("procedure_reviews"),
        LegalDocumentViewSet("legal_documents"),
    ]


@hooks.register("register_admin_menu_item")
def register_review_menu():
    return ReviewGroup().get_menu_item()


@hooks.register(MENU_HOOK)
def register_gap_menu_item():
    return GapMenuItem(
        gettext_lazy("TTHC chưa có quy trình"),
        reverse("documents_review_gaps"),
        icon_name="warning",
        order=2,
    )


@hooks.register("register_admin_urls")
def register_gap_urls():
    return [
        path("procedures/review-gaps/", GapIndexView.as_view(), name="documents_review_gaps"),
        path(
            "procedures/review-gaps/results/",
            GapIndexView.as_view(results_only=True),
            name="documents_review_gaps_results",
        ),
    ]
