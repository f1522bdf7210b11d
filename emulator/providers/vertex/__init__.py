"""Vertex AI batch prediction (`batchPredictionJobs`) for google-genai with `vertexai=True`
and `http_options={"base_url": "<url>/vertex"}`: input and output live in the core store."""
