"""Admin wiring of audits, one module per subject (Wagtail imports this package); ``menu`` holds
the "Đánh giá nội bộ" group every screen joins."""

from . import (  # noqa: F401
    actions,
    auditors,
    audits,
    checklists,
    clauses,
    complaints,
    findings,
    menu,
    my_work,
    programme,
    register,
    reminders,
    reviews,
)
