"""Admin wiring of the core: agencies, memberships, TTHC catalogue, calendar, inbox."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import ForeignKey
from django.http import Http404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms.models import register_form_field_override
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, InlinePanel, MultipleChooserPanel
from wagtail.admin.search import SearchArea
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import Column, Table
from wagtail.admin.viewsets.model import ModelViewSetGroup
from wagtail.images.views import chooser as image_chooser_views

from qms import admin_pages, next_steps, permissions, selectors, wagtail_scope
from qms.choosers import agency_chooser_viewset, tthc_chooser_viewset
from qms.models import (
    AdministrativeProcedure,
    Agency,
    AgencySuccession,
    CalendarOverride,
    Membership,
    OutboundEmail,
    TimeLimit,
)
from qms.models.catalogue import working_days_label
from qms.people import person_label, person_name
from qms.services.agencies import agency_save
from qms.services.catalogue import procedure_admin_save
from qms.services.memberships import (
    membership_admin_delete,
    membership_admin_end,
    membership_admin_save,
)
from qms.services.notifications import outbox_admin_resend
from qms.viewsets import (
    TRANSITIONS,
    AgencyScopedViewSet,
    ScopedIndexView,
    ScopedInspectView,
    Transition,
)

for _model in (Agency, Membership, AdministrativeProcedure, CalendarOverride, AgencySuccession):
    permissions.register_policy(_model)


class PersonChoiceField(forms.ModelChoiceField):
    """A person in a select of Wagtail's forms: full name first, username to tell namesakes apart."""

    def label_from_instance(self, obj):
        return person_label(obj)


register_form_field_override(
    ForeignKey, to=get_user_model(), override={"form_class": PersonChoiceField}
)


@hooks.register("register_admin_viewset")
def register_agency_chooser():
    return agency_chooser_viewset


@hooks.register("register_admin_viewset")
def register_tthc_chooser():
    return tthc_chooser_viewset


class AgencyViewSet(AgencyScopedViewSet):
    model = Agency
    icon = "site"
    menu_label = _("Cơ quan, đơn vị")
    add_to_admin_menu = False
    list_display = ["name", "code", "kind", "parent", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["code"]
    folded_search_fields = ["name_folded"]
    form_fields = ["code", "name", "kind", "parent", "valid_from", "valid_to", "email"]
    inspect_view_fields = ["code", "name", "kind", "parent", "valid_from", "valid_to", "email"]
    list_export = ["code", "name", "kind", "parent", "valid_from", "valid_to"]
    export_filename = "co-quan"
    save_service = staticmethod(agency_save)


class AgencySuccessionViewSet(AgencyScopedViewSet):
    model = AgencySuccession
    icon = "arrow-right"
    menu_label = _("Kế thừa đơn vị")
    list_display = ["predecessor", "successor", "kind", "effective_date", "legal_basis"]
    form_fields = ["predecessor", "successor", "kind", "effective_date", "legal_basis"]


class MembershipEndForm(forms.Form):
    end_date = forms.DateField(
        label=_("Ngày kết thúc"),
        initial=timezone.localdate,
        help_text=_("Ngày cuối cùng người này giữ vai trò (mặc định: hôm nay)."),
    )


def _membership_not_ended(membership) -> bool:
    return membership.end_date is None or membership.end_date > timezone.localdate()


def _regrant_refusal(user, membership) -> str | None:
    return permissions.grant_refusal(
        user, holder=membership.user_id, agency=membership.agency, role=membership.role
    )


class MembershipInspectView(ScopedInspectView):
    def get_field_label(self, field_name, field):
        if field_name == "user":
            return _("Tên đăng nhập")
        return super().get_field_label(field_name, field)

    def get_user_display_value(self):
        return self.object.user.get_username()


class MembershipIndexView(ScopedIndexView):
    def get_base_queryset(self):
        # Names of the people and of the units' departments, in the list's own query.
        return super().get_base_queryset().select_related("user", "agency__parent")


class MembershipViewSet(AgencyScopedViewSet):
    model = Membership
    icon = "group"
    menu_label = _("Phân công vai trò")
    index_view_class = MembershipIndexView
    inspect_view_class = MembershipInspectView
    list_display = [
        "holder_name",
        "agency",
        "role",
        # Most roles are held in one's own right: only a delegation is marked.
        Column(
            "acting",
            label=_("quyền (ủy quyền)"),
            accessor=lambda m: _("Được ủy quyền") if m.acting else "",
        ),
        "start_date",
        "end_date",
    ]
    list_filter = ["role", "acting"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    folded_search_fields = ["agency__name_folded"]
    panels = [
        FieldPanel("user"),
        FieldPanel("agency", widget=agency_chooser_viewset.widget_class),
        FieldPanel("role"),
        FieldPanel("acting"),
        FieldPanel("start_date"),
        FieldPanel("end_date"),
        FieldPanel("note"),
    ]
    list_export = ["holder_name", "user", "agency", "role", "acting", "start_date", "end_date"]
    export_headings = {"user": _("Tên đăng nhập")}
    inspect_view_fields = [
        "holder_name",
        "user",
        "agency",
        "role",
        "acting",
        "start_date",
        "end_date",
        "note",
    ]
    export_filename = "phan-cong-vai-tro"
    save_service = staticmethod(membership_admin_save)
    delete_service = staticmethod(membership_admin_delete)
    field_scopes = {"user": permissions.assignable_users}
    field_choices = {"role": permissions.grantable_roles}
    # Whom an officer may not re-grant (a leader, an auditor, themselves) they may read, not edit.
    change_refusal = staticmethod(_regrant_refusal)
    # Memberships are ended, never deleted (administrators may delete one entered by mistake).
    transitions = (
        Transition(
            "end",
            _("Kết thúc phân công"),
            service=membership_admin_end,
            available=_membership_not_ended,
            refusal=_regrant_refusal,
            form_class=MembershipEndForm,
            confirmation=_(
                "Người này thôi giữ vai trò sau ngày kết thúc; lịch sử phân công được giữ lại."
            ),
            icon="calendar-check",
        ),
    )


class ProcedureIndexView(ScopedIndexView):
    def get_base_queryset(self):
        # The limit in force today comes with the list (one query, not one per row).
        return super().get_base_queryset().with_working_days_on(timezone.localdate())


def _time_limit_status(limit, in_force, today) -> str:
    if in_force is not None and limit.pk == in_force.pk:
        return _("Đang áp dụng")
    if limit.effective_from > today:
        return _("Chưa có hiệu lực")
    return _("Đã được thay thế")


class ProcedureInspectView(ScopedInspectView):
    def get_field_label(self, field_name, field):
        if field_name == "time_limits":
            return capfirst(TimeLimit._meta.verbose_name_plural)
        return super().get_field_label(field_name, field)

    def get_handling_agencies_display_value(self):
        agencies = self.object.handling_agencies.select_related("parent")
        return "; ".join(agency.display_name for agency in agencies) or "—"

    def get_time_limits_display_value(self):
        today = timezone.localdate()
        in_force = self.object.time_limit_on(today)
        limits = TimeLimit.objects.filter(procedure=self.object).order_by("-effective_from")
        return Table(
            [
                Column(
                    "working_days",
                    label=_("Thời hạn"),
                    accessor=lambda limit: working_days_label(limit.working_days),
                ),
                Column(
                    "effective_from",
                    label=_("Áp dụng từ ngày"),
                    accessor=lambda limit: limit.effective_from.strftime("%d/%m/%Y"),
                ),
                Column("legal_basis", label=_("Căn cứ pháp lý")),
                Column(
                    "status",
                    label=_("Tình trạng"),
                    accessor=lambda limit: _time_limit_status(limit, in_force, today),
                ),
            ],
            list(limits),
        )


class AdministrativeProcedureViewSet(AgencyScopedViewSet):
    model = AdministrativeProcedure
    icon = "list-ul"
    menu_label = _("Thủ tục hành chính")
    index_view_class = ProcedureIndexView
    inspect_view_class = ProcedureInspectView
    list_display = [
        "code",
        "name",
        "field",
        Column(
            "working_days_on",
            label=_("Thời hạn hiện hành"),
            accessor=lambda procedure: working_days_label(procedure.working_days_on),
            sort_key="working_days_on",
        ),
        "level",
        "online_level",
    ]
    list_filter = ["level", "online_level", "field"]
    search_fields = ["code", "field"]
    folded_search_fields = ["name_folded"]
    # Editing is for administrators (the catalogue is shared by every agency).
    panels = [
        FieldPanel("code"),
        FieldPanel("name"),
        FieldPanel("field"),
        FieldPanel("level"),
        FieldPanel("online_level"),
        FieldPanel("is_active"),
        MultipleChooserPanel(
            "handling_agency_links",
            chooser_field_name="agency",
            heading=_("Cơ quan giải quyết"),
        ),
        InlinePanel(
            "time_limits",
            heading=_("Thời hạn giải quyết"),
            panels=[
                FieldPanel("working_days"),
                FieldPanel("effective_from"),
                FieldPanel("legal_basis"),
            ],
        ),
    ]
    inspect_view_fields = [
        "code",
        "name",
        "field",
        "level",
        "online_level",
        "is_active",
        "handling_agencies",
        "time_limits",
    ]
    list_export = ["code", "name", "field", "working_days_on", "level", "online_level"]
    export_headings = {"working_days_on": _("Thời hạn hiện hành (ngày làm việc)")}
    export_filename = "thu-tuc-hanh-chinh"
    save_service = staticmethod(procedure_admin_save)


class CalendarOverrideViewSet(AgencyScopedViewSet):
    model = CalendarOverride
    icon = "date"
    menu_label = _("Điều chỉnh lịch làm việc")
    list_display = ["date", "kind", "reason", "document_number", "document_date"]
    list_filter = ["kind"]
    form_fields = ["date", "kind", "reason", "document_number", "document_date"]


class CoreViewSetGroup(ModelViewSetGroup):
    menu_label = _("Danh mục và phân quyền")
    menu_icon = "cogs"
    menu_order = 900
    items = (
        AgencyViewSet("agencies"),
        MembershipViewSet("memberships"),
        AgencySuccessionViewSet("agency_successions"),
        AdministrativeProcedureViewSet("tthc"),
        CalendarOverrideViewSet("calendar_overrides"),
    )


@hooks.register("register_admin_viewset")
def register_core_viewsets():
    return CoreViewSetGroup()


@hooks.register("register_admin_urls")
def register_inbox_urls():
    return [
        path("inbox/", admin_pages.inbox, name="qms_inbox"),
        path("inbox/read/", admin_pages.inbox_mark_read, name="qms_inbox_read"),
        path("tthc-import/", admin_pages.catalogue_import, name="qms_tthc_import"),
        path("working-calendar/", admin_pages.working_calendar, name="qms_working_calendar"),
        path("guide/", admin_pages.user_guide, name="qms_user_guide"),
    ]


@hooks.register("construct_help_menu")
def help_menu_points_to_user_guide(request, items):
    """The Help menu offers qms's user guide (and the keyboard shortcuts), not Wagtail's release
    notes and editor guide, which speak of Wagtail in English."""
    items[:] = [
        MenuItem(
            _("Hướng dẫn sử dụng"), reverse("qms_user_guide"), icon_name="help", name="qms-guide"
        ),
        *(item for item in items if item.name == "keyboard-shortcuts-trigger"),
    ]


class InboxMenuItem(MenuItem):
    # Wagtail's sidebar renders menu items through render_component (get_context is never called).
    def render_component(self, request):
        component = super().render_component(request)
        unread = selectors.unread_notification_count(request.user)
        if unread:
            component.label = f"{self.label} ({unread})"
        return component


@hooks.register("register_admin_menu_item")
def register_working_calendar_menu_item():
    return MenuItem(_("Lịch làm việc"), reverse("qms_working_calendar"), icon_name="date", order=60)


@hooks.register("register_admin_menu_item")
def register_inbox_menu_item():
    return InboxMenuItem(_("Thông báo"), reverse("qms_inbox"), icon_name="mail", order=50)


class UserPanel(Component):
    """A dashboard panel about the person looking at it."""

    def __init__(self, user):
        self.user = user


class NextStepsPanel(UserPanel):
    """The welcome: what qms is for, what the person's roles mean, what to do next."""

    name = "qms_next_steps"
    order = 30
    template_name = "qms/next_steps_panel.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        roles = next_steps.roles_today(self.user)
        context.update(
            name=person_name(self.user),
            about=next_steps.ABOUT,
            role_lines=next_steps.role_lines(roles),
            steps=next_steps.next_steps(self.user),
        )
        return context


class InboxPanel(UserPanel):
    name = "qms_inbox"
    order = 50
    template_name = "qms/inbox_panel.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["notifications"] = list(selectors.unread_notifications(self.user)[:5])
        context["unread"] = selectors.unread_notification_count(self.user)
        return context


class MyRolesPanel(UserPanel):
    """Which roles the person holds today, where, and until when (delegations marked)."""

    name = "qms_my_roles"
    order = 40
    template_name = "qms/my_roles_panel.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        memberships = permissions.active_memberships(self.user)
        # Units read with their department ("Văn phòng Sở — Sở Tư pháp"), in one query.
        agencies = Agency.objects.filter(pk__in=[m.agency_id for m in memberships])
        names = {a.pk: a.display_name for a in agencies.select_related("parent")}
        context["memberships"] = [(m, names.get(m.agency_id, "")) for m in memberships]
        return context


@hooks.register("construct_homepage_panels")
def add_core_panels(request, panels):
    panels.append(NextStepsPanel(request.user))
    panels.append(MyRolesPanel(request.user))
    panels.append(InboxPanel(request.user))


class AdminOnlyMenuItem(MenuItem):
    def is_shown(self, request):
        return permissions.is_admin(request.user)


@hooks.register("register_settings_menu_item")
def register_catalogue_import_menu_item():
    return AdminOnlyMenuItem(
        _("Nhập danh mục TTHC"), reverse("qms_tthc_import"), icon_name="upload", order=900
    )


@hooks.register("register_log_actions")
def register_transition_log_actions(actions):
    """Each viewset transition appears in the history under its own name."""
    for action, label in TRANSITIONS.items():
        actions.register_action(action, label, label)


@hooks.register("before_serve_document")
def check_document_access(document, request):
    """A document is served to whoever the policy lets read it; to anyone else it does not exist."""
    if not permissions.may_read_file(request.user, document):
        raise Http404


# --- The e-mail outbox: administrators only (no rules for "outboundemail" in the policy) --------

permissions.register_policy(OutboundEmail)


class OutboxViewSet(AgencyScopedViewSet):
    """Read-only: a state changes only through the sending task or a deliberate resend."""

    read_only = True

    model = OutboundEmail
    icon = "mail"
    menu_label = _("Hộp thư đi")
    add_to_settings_menu = True
    menu_order = 950
    # A deliberate resend of a failed or uncertain message: the one state change people make here.
    transitions = (
        Transition(
            "resend",
            _("Gửi lại"),
            service=outbox_admin_resend,
            available=lambda email: email.resendable,
            confirmation=_(
                "Thư được đưa lại vào hàng chờ gửi. Thư “chưa chắc đã gửi” có thể đã đến người "
                "nhận: gửi lại có thể khiến họ nhận hai lần."
            ),
            icon="mail",
            log=False,  # the service logs it with the status it had and its last error
        ),
    )
    list_display = [
        "subject",
        "to",
        "status",
        "attempts",
        "created_at",
        "sent_at",
        Column(
            "last_error",
            label=_("lỗi gần nhất"),
            accessor=lambda email: Truncator(email.last_error).chars(80),
        ),
    ]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    # No add or edit view is routed (read_only); Wagtail builds their form class regardless.
    form_fields = ["to", "subject", "body"]
    inspect_view_fields = [
        "to",
        "subject",
        "body",
        "status",
        "attempts",
        "created_at",
        "claimed_at",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]


@hooks.register("register_admin_viewset")
def register_outbox_viewset():
    return OutboxViewSet("outbox")


@hooks.register("register_log_actions")
def register_outbox_log_actions(actions):
    from qms.services.notifications import EMAIL_RESEND_ACTION

    actions.register_action(EMAIL_RESEND_ACTION, _("Gửi lại thư"), _("Gửi lại thư"))


# Wagtail's image chooser lists the most used tags of every image; narrow them (wagtail_scope).
image_chooser_views.viewset.choose_view_class = wagtail_scope.ImageChooseView


@hooks.register("construct_page_chooser_queryset")
def scope_page_chooser(pages, request):
    return wagtail_scope.page_chooser_scope(pages, request.user)


@hooks.register("construct_admin_api", order=100)
def scope_admin_api(router):
    """After Wagtail's own registrations: the documents and images endpoints list only files the
    person may see."""
    router.register_endpoint("documents", wagtail_scope.ScopedDocumentsAdminAPIViewSet)
    router.register_endpoint("images", wagtail_scope.ScopedImagesAdminAPIViewSet)


hooks.register("before_move_page", wagtail_scope.before_move_page)


class PolicySearchArea(SearchArea):
    """A search area shown to whoever the policy lets read its resource."""

    def __init__(self, *args, resource: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource

    def is_shown(self, request):
        return permissions.has_permission(request.user, self.resource, permissions.VIEW)


# The admin's search box leads to what members look for (after pages, before Wagtail's images).
@hooks.register("register_admin_search_area")
def register_tthc_search_area():
    return PolicySearchArea(
        _("Thủ tục hành chính"),
        reverse("tthc:index"),
        resource="administrativeprocedure",
        icon_name="list-ul",
        order=150,
    )


@hooks.register("register_admin_search_area")
def register_membership_search_area():
    return PolicySearchArea(
        _("Phân công vai trò"),
        reverse("memberships:index"),
        resource="membership",
        icon_name="group",
        order=160,
    )
