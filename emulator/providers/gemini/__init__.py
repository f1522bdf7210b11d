"""The gemini dialect."""
