"""Rows of the permission policy for the yearly audit programme and its entries (imported when the app is ready)."""
