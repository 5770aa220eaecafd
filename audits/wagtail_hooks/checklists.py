"""Admin wiring (filled in by its brief)."""
