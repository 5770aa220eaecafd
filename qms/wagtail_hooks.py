"""Admin wiring of the core: agencies, memberships, TTHC catalogue, calendar, inbox."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.components import Component
from wagtail.admin.viewsets.model import ModelViewSetGroup

from qms import admin_pages, permissions
from qms.models import (
    AdministrativeProcedure,
    Agency,
    AgencySuccession,
    CalendarOverride,
    Membership,
    Notification,
)
from qms.services.memberships import membership_admin_delete, membership_admin_save
from qms.viewsets import AgencyScopedChooserViewSet, AgencyScopedViewSet

for _model in (Agency, Membership, AdministrativeProcedure, CalendarOverride, AgencySuccession):
    permissions.register_policy(_model)


class AgencyChooserViewSet(AgencyScopedChooserViewSet):
    model = Agency
    icon = "site"
    choose_one_text = _("Chọn cơ quan, đơn vị")
    choose_another_text = _("Chọn cơ quan, đơn vị khác")


agency_chooser_viewset = AgencyChooserViewSet("agency_chooser")


@hooks.register("register_admin_viewset")
def register_agency_chooser():
    return agency_chooser_viewset


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


class AgencySuccessionViewSet(AgencyScopedViewSet):
    model = AgencySuccession
    icon = "arrow-right"
    menu_label = _("Kế thừa đơn vị")
    list_display = ["predecessor", "successor", "kind", "effective_date", "legal_basis"]
    form_fields = ["predecessor", "successor", "kind", "effective_date", "legal_basis"]


class MembershipViewSet(AgencyScopedViewSet):
    model = Membership
    icon = "group"
    menu_label = _("Phân công vai trò")
    list_display = ["user", "agency", "role", "acting", "start_date", "end_date"]
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
    list_export = ["user", "agency", "role", "acting", "start_date", "end_date"]
    export_filename = "phan-cong-vai-tro"
    save_service = staticmethod(membership_admin_save)
    delete_service = staticmethod(membership_admin_delete)
    field_scopes = {"user": permissions.assignable_users}


class AdministrativeProcedureViewSet(AgencyScopedViewSet):
    model = AdministrativeProcedure
    icon = "list-ul"
    menu_label = _("Thủ tục hành chính")
    list_display = ["code", "name", "field", "level", "online_level"]
    list_filter = ["level", "online_level", "field"]
    search_fields = ["code", "field"]
    folded_search_fields = ["name_folded"]
    form_fields = [
        "code",
        "name",
        "field",
        "level",
        "online_level",
        "handling_agencies",
        "is_active",
    ]
    list_export = ["code", "name", "field", "level", "online_level"]
    export_filename = "thu-tuc-hanh-chinh"


class CalendarOverrideViewSet(AgencyScopedViewSet):
    model = CalendarOverride
    icon = "date"
    menu_label = _("Điều chỉnh lịch làm việc")
    list_display = ["date", "kind", "reason", "document_number", "document_date"]
    list_filter = ["kind"]
    form_fields = ["date", "kind", "reason", "document_number", "document_date"]


class CoreViewSetGroup(ModelViewSetGroup):
    menu_label = _("Hệ thống ISO")
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
    ]


class InboxMenuItem(MenuItem):
    # Wagtail's sidebar renders menu items through render_component (get_context is never called).
    def render_component(self, request):
        component = super().render_component(request)
        unread = Notification.objects.unread().filter(recipient=request.user).count()
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


class InboxPanel(UserPanel):
    name = "qms_inbox"
    order = 50
    template_name = "qms/inbox_panel.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["notifications"] = list(
            Notification.objects.unread().filter(recipient=self.user)[:5]
        )
        context["unread"] = Notification.objects.unread().filter(recipient=self.user).count()
        return context


class MyRolesPanel(UserPanel):
    """Which roles the person holds today, where, and until when (delegations marked)."""

    name = "qms_my_roles"
    order = 40
    template_name = "qms/my_roles_panel.html"

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["memberships"] = permissions.active_memberships(self.user)
        return context


@hooks.register("construct_homepage_panels")
def add_core_panels(request, panels):
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
