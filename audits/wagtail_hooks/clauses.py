"""Admin wiring of the ISO 9001 clause catalogue and the question bank, in the "Đánh giá nội bộ"
group.

"Điều khoản ISO 9001" is read-only (the clauses come with a migration): the tree indented by depth,
searched by number or title without accents, each clause's page with its parent, its sub-clauses and
the questions the reader may see. "Ngân hàng câu hỏi" lists the bank's own questions and the
agencies' (filters by top-level clause, agency and use); officers and leaders add and change their
agency's through ``question_save`` and take one out of use (never delete it) by a transition.
"""

import django_filters
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column, TitleColumn

from audits.models import Clause, Question
from audits.rules_clauses import CLAUSE, QUESTION
from audits.services.questions import question_activate, question_deactivate, question_save
from audits.wagtail_hooks.menu import MENU_HOOK
from qms import permissions
from qms.choosers import agency_chooser_viewset
from qms.display import yes_no
from qms.models import Agency
from qms.text import fold
from qms.viewsets import AgencyScopedViewSet, ScopedIndexView, ScopedInspectView, Transition

permissions.register_policy(Clause)
permissions.register_policy(Question)


# --- Clauses ---------------------------------------------------------------------------------


def _indented(clause, value):
    """``value`` shifted right by the clause's depth, so the list reads as the standard's tree."""
    return format_html(
        '<span style="padding-inline-start: {}rem">{}</span>', (clause.depth - 1) * 1.5, value
    )


class ClauseIndexView(ScopedIndexView):
    def _get_title_column(self, field_name, column_class=TitleColumn, **kwargs):
        column_class = self._get_title_column_class(column_class)
        return column_class(
            "number",
            label=_("Điều khoản"),
            accessor=lambda clause: _indented(clause, clause.number),
            get_url=self.get_inspect_url,
        )

    def search_queryset(self, queryset):
        """Number or either title, with or without accents ("kiem soat" finds "Kiểm soát"): the
        catalogue is about a hundred rows, folded here rather than stored folded."""
        if not self.is_searching:
            return queryset
        term = fold(self.search_query)
        rows = Clause.objects.values_list("pk", "number", "title_vi", "title_en")
        found = [
            pk
            for pk, number, title_vi, title_en in rows
            if term in fold(f"{number} {title_vi} {title_en}")
        ]
        return queryset.filter(pk__in=found)


def _question_links(user, questions) -> str | None:
    visible = permissions.policy_for(Question).scope_q(user, [permissions.VIEW, permissions.CHANGE])
    rows = list(
        questions.filter(visible).select_related("agency__parent").order_by("agency_id", "pk")
    )
    if not rows:
        return None
    return format_html(
        "<ul>{}</ul>",
        format_html_join(
            "",
            '<li><a href="{}">{}</a> – {}{}</li>',
            (
                (
                    reverse("audit_questions:inspect", args=[q.pk]),
                    q.text,
                    _owner_label(q),
                    "" if q.is_active else format_html(" ({})", _("ngừng sử dụng")),
                )
                for q in rows
            ),
        ),
    )


def _clause_link(clause) -> str:
    return format_html(
        '<a href="{}">{}</a>', reverse("iso_clauses:inspect", args=[clause.pk]), str(clause)
    )


class ClauseInspectView(ScopedInspectView):
    def get_field_label(self, field_name, field):
        labels = {"children": _("Điều khoản con"), "questions": _("Câu hỏi đánh giá")}
        return labels.get(field_name) or super().get_field_label(field_name, field)

    def get_parent_display_value(self):
        return _clause_link(self.object.parent) if self.object.parent_id else None

    def get_children_display_value(self):
        children = list(self.object.children.order_by("sort_key"))
        if not children:
            return None
        return format_html(
            "<ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((_clause_link(c),) for c in children)),
        )

    def get_questions_display_value(self):
        return _question_links(self.request.user, self.object.questions.all())


class ClauseViewSet(AgencyScopedViewSet):
    model = Clause
    resource = CLAUSE
    read_only = True
    icon = "list-ul"
    menu_label = gettext_lazy("Điều khoản ISO 9001")
    menu_hook = MENU_HOOK
    menu_order = 1
    index_view_class = ClauseIndexView
    inspect_view_class = ClauseInspectView
    list_display = [
        "number",
        Column(
            "title_vi",
            label=gettext_lazy("Tên (tiếng Việt)"),
            accessor=lambda clause: _indented(clause, clause.title_vi),
        ),
        Column("title_en", label=gettext_lazy("Tên (tiếng Anh)"), accessor="title_en"),
    ]
    ordering = ["sort_key"]
    list_per_page = 200
    search_fields = ["number", "title_vi", "title_en"]
    search_backend_name = None
    inspect_view_fields = ["number", "title_vi", "title_en", "parent", "children", "questions"]
    # No form is ever shown (read-only); Wagtail still asks for one.
    form_fields = ["title_vi"]


# --- Questions -------------------------------------------------------------------------------


def _owner_label(question) -> str:
    if question.agency_id is None:
        return _("Câu hỏi chung của ngân hàng")
    return question.agency.display_name


def _active_label(question) -> str:
    return _("Đang sử dụng") if question.is_active else _("Ngừng sử dụng")


def _agencies_offered(user):
    """Agencies whose questions the person may read: their roles' subtrees and the bodies above."""
    above = {pk for m in permissions.active_memberships(user) for pk in m.agency.ancestor_ids()}
    in_scope = permissions.scope_q(user, QUESTION, [permissions.VIEW], "path", relations=False)
    return Agency.objects.filter(in_scope | Q(pk__in=above)).order_by("path")


class QuestionFilterSet(WagtailFilterSet):
    clause = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Điều khoản (cả các điều khoản con)"),
        queryset=Clause.objects.filter(depth=1).order_by("sort_key"),
        method="filter_clause",
    )
    agency = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Cơ quan, đơn vị"),
        queryset=Agency.objects.none(),
        null_label=gettext_lazy("Câu hỏi chung của ngân hàng"),
    )
    active = django_filters.ChoiceFilter(
        label=gettext_lazy("Tình trạng"),
        choices=(("1", gettext_lazy("Đang sử dụng")), ("0", gettext_lazy("Ngừng sử dụng"))),
        method="filter_active",
        empty_label=gettext_lazy("Tất cả"),
    )

    class Meta:
        model = Question
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["agency"].queryset = _agencies_offered(request.user)

    def filter_clause(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            Q(clause=value) | Q(clause__sort_key__startswith=f"{value.sort_key}.")
        )

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "1") if value in ("0", "1") else queryset


class QuestionIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("clause", "agency__parent")

    def to_row_dict(self, item):
        item.clause_label = str(item.clause)
        item.owner_label = _owner_label(item)
        item.active_label = _active_label(item)
        return super().to_row_dict(item)


class QuestionInspectView(ScopedInspectView):
    def get_clause_display_value(self):
        return _clause_link(self.object.clause)

    def get_agency_display_value(self):
        return _owner_label(self.object)

    def get_is_active_display_value(self):
        return yes_no(self.object.is_active)


def _question_text(question) -> str:
    return question.text if len(question.text) <= 160 else f"{question.text[:157]}…"


class QuestionViewSet(AgencyScopedViewSet):
    model = Question
    resource = QUESTION
    icon = "help"
    menu_label = gettext_lazy("Ngân hàng câu hỏi")
    menu_hook = MENU_HOOK
    menu_order = 2
    index_view_class = QuestionIndexView
    inspect_view_class = QuestionInspectView
    filterset_class = QuestionFilterSet
    list_display = [
        Column("clause", label=gettext_lazy("Điều khoản"), accessor=lambda q: q.clause.number),
        TitleColumn("text", label=gettext_lazy("Câu hỏi"), accessor=_question_text),
        Column("agency", label=gettext_lazy("Cơ quan, đơn vị"), accessor=_owner_label),
        Column("is_active", label=gettext_lazy("Tình trạng"), accessor=_active_label),
    ]
    ordering = ["clause__sort_key", "pk"]
    search_fields = ["text"]
    search_backend_name = None
    list_export = ["clause_label", "text", "owner_label", "active_label"]
    export_headings = {
        "clause_label": gettext_lazy("Điều khoản"),
        "text": gettext_lazy("Câu hỏi"),
        "owner_label": gettext_lazy("Cơ quan, đơn vị"),
        "active_label": gettext_lazy("Tình trạng"),
    }
    export_filename = "ngan-hang-cau-hoi"
    panels = [
        FieldPanel("clause"),
        FieldPanel("text"),
        FieldPanel("agency", widget=agency_chooser_viewset.widget_class),
    ]
    inspect_view_fields = ["clause", "text", "agency", "is_active", "created_by", "created_at"]
    save_service = staticmethod(question_save)
    transitions = (
        Transition(
            name="deactivate",
            label=gettext_lazy("Ngừng sử dụng"),
            service=question_deactivate,
            available=lambda q: q.is_active,
            confirmation=gettext_lazy(
                "Câu hỏi sẽ không còn được đưa vào các bảng câu hỏi đánh giá mới; lịch sử vẫn "
                "được giữ."
            ),
            icon="cross",
        ),
        Transition(
            name="activate",
            label=gettext_lazy("Sử dụng lại"),
            service=question_activate,
            available=lambda q: not q.is_active,
            icon="check",
        ),
    )


@hooks.register("register_admin_viewset")
def register_clause_viewsets():
    return [ClauseViewSet("iso_clauses"), QuestionViewSet("audit_questions")]
