"""The Groq Batch + Files dialect (`groq.Groq`), OpenAI-shaped at `/openai/v1/...`."""
