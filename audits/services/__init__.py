"""State changes of audits, one module per subject; every write goes through these functions."""
