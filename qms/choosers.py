"""Choosers of the core's records (agencies, TTHC), scoped by the policy, for forms and blocks."""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column

from qms.models import AdministrativeProcedure, Agency
from qms.viewsets import (
    AgencyScopedChooserViewSet,
    FoldedSearchFilterForm,
    ScopedChooseResultsView,
    ScopedChooseView,
)


class AgencyChooserColumnsMixin:
    """The agency chooser lists each agency's name with its parent and kind, so the many
    "Văn phòng Sở" can be told apart; once chosen, an agency reads as its display_name."""

    def get_object_list(self):
        return super().get_object_list().select_related("parent")

    @property
    def title_column(self):
        column = super().title_column
        column.accessor = "name"
        column.label = capfirst(Agency._meta.get_field("name").verbose_name)
        return column

    @property
    def columns(self):
        return [
            *super().columns,
            Column(
                "parent",
                label=_("Trực thuộc"),
                accessor=lambda agency: agency.parent.name if agency.parent_id else "",
            ),
            Column("kind", label=_("Loại"), accessor="get_kind_display"),
        ]


class AgencyChooseView(AgencyChooserColumnsMixin, ScopedChooseView):
    pass


class AgencyChooseResultsView(AgencyChooserColumnsMixin, ScopedChooseResultsView):
    pass


class AgencyChooserViewSet(AgencyScopedChooserViewSet):
    model = Agency
    icon = "site"
    choose_view_class = AgencyChooseView
    choose_results_view_class = AgencyChooseResultsView
    choose_one_text = _("Chọn cơ quan, đơn vị")
    choose_another_text = _("Chọn cơ quan, đơn vị khác")


agency_chooser_viewset = AgencyChooserViewSet("agency_chooser")


class TTHCSearchForm(FoldedSearchFilterForm):
    folded_fields = ("name_folded", "code")


class TTHCChooserMixin:
    filter_form_class = TTHCSearchForm

    def get_object_list(self):
        return super().get_object_list().filter(is_active=True).order_by("code")

    @property
    def columns(self):
        return [
            *super().columns,
            Column("code", label=_("Mã TTHC"), accessor="code"),
            Column("field", label=_("Lĩnh vực"), accessor="field"),
        ]


class TTHCChooseView(TTHCChooserMixin, ScopedChooseView):
    pass


class TTHCChooseResultsView(TTHCChooserMixin, ScopedChooseResultsView):
    pass


class TTHCChooserViewSet(AgencyScopedChooserViewSet):
    """The TTHC catalogue (reference data every member reads), searched without accents."""

    model = AdministrativeProcedure
    icon = "list-ul"
    choose_view_class = TTHCChooseView
    choose_results_view_class = TTHCChooseResultsView
    choose_one_text = _("Chọn thủ tục hành chính")
    choose_another_text = _("Chọn thủ tục hành chính khác")


tthc_chooser_viewset = TTHCChooserViewSet("tthc_chooser")
