"""`python -m emulator` is the same as the `batch-emulator` command."""

from __future__ import annotations

from emulator.cli import main

raise SystemExit(main())
