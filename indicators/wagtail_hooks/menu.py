"""The admin menu group "Hồ sơ và chỉ số" that every indicators screen joins.

A viewset joins it with ``menu_hook = MENU_HOOK``; a plain menu item with
``@hooks.register(MENU_HOOK)``. The group shows only when one of its items is shown.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import WagtailMenuRegisterableGroup

MENU_HOOK = "register_indicators_menu_item"


class IndicatorsGroup(WagtailMenuRegisterableGroup):
    menu_label = _("Hồ sơ và chỉ số")
    menu_icon = "table"
    menu_order = 78
    submenu_hook = MENU_HOOK


@hooks.register("register_admin_menu_item")
def register_indicators_menu():
    return IndicatorsGroup().get_menu_item()
