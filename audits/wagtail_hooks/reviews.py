"""Admin wiring of management reviews."""
