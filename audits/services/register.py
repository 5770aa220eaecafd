"""Services of register (every state change, in a transaction, with history and notifications)."""
