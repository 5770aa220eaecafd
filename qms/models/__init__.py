"""Models of the shared core: state tree, memberships, TTHC catalogue, calendar, notifications."""

from .agencies import Agency, AgencyKind, AgencySuccession, Membership, Role, SuccessionKind
from .calendar import CalendarOverride, OverrideKind, WorkingCalendarSettings
from .catalogue import (
    AdministrativeProcedure,
    HandlingAgency,
    OnlineLevel,
    ProcedureLevel,
    TimeLimit,
)
from .notifications import EmailStatus, Notification, OutboundEmail
from .pages import HomePage

__all__ = [
    "AdministrativeProcedure",
    "Agency",
    "AgencyKind",
    "AgencySuccession",
    "CalendarOverride",
    "EmailStatus",
    "HandlingAgency",
    "HomePage",
    "Membership",
    "Notification",
    "OnlineLevel",
    "OutboundEmail",
    "OverrideKind",
    "ProcedureLevel",
    "Role",
    "SuccessionKind",
    "TimeLimit",
    "WorkingCalendarSettings",
]
