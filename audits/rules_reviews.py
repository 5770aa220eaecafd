"""Rows of the permission policy for management reviews (imported when the app is ready)."""
