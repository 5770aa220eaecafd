"""Services of programme (every state change, in a transaction, with history and notifications)."""
