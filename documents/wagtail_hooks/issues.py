"""Admin wiring of documents: issues."""
