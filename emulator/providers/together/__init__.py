"""The Together Batch dialect (`together` SDK >= 2): three-step uploads and `/v1/batches`."""
