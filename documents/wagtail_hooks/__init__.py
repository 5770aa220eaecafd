"""Admin wiring of documents, one module per subject (Wagtail imports this package)."""

from . import acknowledgements, approval, compare, issues, master_list, procedures  # noqa: F401
