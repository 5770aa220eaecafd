"""Rows of the permission policy for the QMS register (scope, policy), risks and opportunities, conformity announcements and external inspections (imported when the app is ready)."""
