"""State changes of document control, one module per subject."""
