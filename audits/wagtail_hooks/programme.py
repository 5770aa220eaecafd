"""Admin wiring of the yearly audit programme and its entries."""
