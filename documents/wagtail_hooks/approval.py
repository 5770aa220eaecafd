"""Admin wiring of documents: approval."""
