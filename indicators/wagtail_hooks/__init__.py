"""Admin wiring of indicators, one module per subject (Wagtail imports this package): ``menu``
holds the "Hồ sơ và chỉ số" group every screen joins; ``dossiers`` the dossiers' list and page;
``metrics`` the metrics page. Every other module of this package (imports, sources, clock rules,
recomputations …) is imported too, so a screen added in its own module needs no change here."""

import importlib
import pkgutil

from . import dossiers, menu, metrics  # noqa: F401

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
