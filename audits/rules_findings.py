"""Policy rows (filled in by its brief)."""
