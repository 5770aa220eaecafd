"""audits app (later capabilities: see DESIGN.md §3)."""
