"""Admin wiring of documents: procedure pages (choosers, panels)."""
