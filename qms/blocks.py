"""StreamField blocks of the core, for apps' pages (a TTHC of the catalogue, an agency)."""

from qms.choosers import agency_chooser_viewset, tthc_chooser_viewset

TTHCChooserBlock = tthc_chooser_viewset.get_block_class(
    name="TTHCChooserBlock", module_path="qms.blocks"
)
AgencyChooserBlock = agency_chooser_viewset.get_block_class(
    name="AgencyChooserBlock", module_path="qms.blocks"
)
