"""Provider dialects: wire models, pure core<->wire mapping, and thin routes."""
