"""The Azure OpenAI Batch + Files dialect (`openai.AzureOpenAI`, and the `/openai/v1` surface)."""
