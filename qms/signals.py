"""Events of the core that later apps react to (DESIGN.md §3: signals are for named hooks only).

Each is sent by a core service after its transaction commits, never from a model's save():
- ``tthc_time_limit_changed(procedure, time_limit, previous_working_days)``: a TTHC's statutory
  limit was added or changed (catalogue import or admin edit); documents flags procedures whose
  step tables now exceed it.
- ``membership_started(membership)`` / ``membership_ended(membership)``: a role is now held / no
  longer held (by a change today; roles that start or end by date are seen by the nightly sync).
- ``agency_changed(agency, created)``: sent inside the transaction (see below).
"""

from django.dispatch import Signal

tthc_time_limit_changed = Signal()
membership_started = Signal()
membership_ended = Signal()

# ``agency_changed(agency, created)``: an agency was created, renamed or moved, inside the
# transaction that did it (documents keeps the agency's page in step, so they exist together).
agency_changed = Signal()
