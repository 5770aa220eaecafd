"""Services of reviews (every state change, in a transaction, with history and notifications)."""
