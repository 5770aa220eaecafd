"""Matrix rules and marked objects of indicators (found by tests/authz.py).

Each subject keeps its own module beside this one, ``authz_rules_<subject>.py`` (``populate``,
``RULES``, ``OBJECT_KWARGS``): dossiers and metrics (``authz_rules_dossiers``), imports, sources,
clock rules and recomputations (``authz_rules_imports``) … Every such module found here is
gathered, in name order, so a subject added in its own module needs no change in this one."""

import importlib
import pkgutil
from pathlib import Path

_PREFIX = "authz_rules_"

MODULES = [
    importlib.import_module(f"{__package__}.{info.name}")
    for info in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda i: i.name)
    if info.name.startswith(_PREFIX)
]


def populate(world):
    for module in MODULES:
        fill = getattr(module, "populate", None)
        if fill is not None:
            fill(world)


RULES = [rule for module in MODULES for rule in getattr(module, "RULES", [])]
OBJECT_KWARGS = [row for module in MODULES for row in getattr(module, "OBJECT_KWARGS", [])]
