"""The Mistral Batch dialect (`mistralai` SDK): `/v1/files...` and `/v1/batch/jobs...`."""
