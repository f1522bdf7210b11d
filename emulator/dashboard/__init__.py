"""The dashboard: a live page at `/_emulator/` to watch and drive batches in a browser.

`routes.py` serves the page (static files in `static/`, no build step) and the JSON it reads
(`data.py`); every control on the page calls the ordinary control plane routes.
"""

from __future__ import annotations

from emulator.dashboard.routes import routes

__all__ = ["routes"]
