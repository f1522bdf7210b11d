"""The anthropic dialect."""
