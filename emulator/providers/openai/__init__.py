"""The OpenAI Batch + Files dialect."""
