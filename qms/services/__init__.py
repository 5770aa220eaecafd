"""State changes of the core, one module per subject; every write goes through these functions."""
