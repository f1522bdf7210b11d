"""The bifrost dialect."""
