"""Admin wiring of documents, one module per subject (Wagtail imports this package)."""

from . import (  # noqa: F401
    acknowledgements,
    approval,
    compare,
    docx_import,
    issues,
    master_list,
    procedures,
    review,
    shared,
)
