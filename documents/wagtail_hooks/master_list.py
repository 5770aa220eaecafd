"""Admin wiring of documents: master_list."""
