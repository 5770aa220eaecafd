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
