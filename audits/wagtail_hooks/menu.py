"""The admin menu group "Đánh giá nội bộ" that every audits screen joins.

A viewset joins it with ``menu_hook = MENU_HOOK``; a plain menu item with
``@hooks.register(MENU_HOOK)``. The group shows only when one of its items is shown.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import WagtailMenuRegisterableGroup

MENU_HOOK = "register_audits_menu_item"


class AuditsGroup(WagtailMenuRegisterableGroup):
    menu_label = _("Đánh giá nội bộ")
    menu_icon = "tasks"
    menu_order = 77
    submenu_hook = MENU_HOOK


@hooks.register("register_admin_menu_item")
def register_audits_menu():
    return AuditsGroup().get_menu_item()


SYSTEM_MENU_HOOK = "register_quality_system_menu_item"


class QualitySystemGroup(WagtailMenuRegisterableGroup):
    """ "Hệ thống chất lượng": the register, risks, announcements, inspections, management
    reviews (the system as a whole, beside the audits)."""

    menu_label = _("Hệ thống chất lượng")
    menu_icon = "doc-full-inverse"
    menu_order = 76
    submenu_hook = SYSTEM_MENU_HOOK


@hooks.register("register_admin_menu_item")
def register_quality_system_menu():
    return QualitySystemGroup().get_menu_item()
