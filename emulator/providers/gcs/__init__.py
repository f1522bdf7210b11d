"""The GCS JSON API subset Vertex batch needs (`google-cloud-storage` with
`STORAGE_EMULATOR_HOST=<url>`), a thin dialect over the core object store."""
