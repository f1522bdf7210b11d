"""The page is self-contained: it loads only from the emulator, and ships as package data."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import httpx

from emulator.cli import banner
from emulator.handle import EmulatorHandle

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "emulator" / "dashboard" / "static"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"  # an XML name, never fetched


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [v for k, v in attrs if k in ("src", "href", "action") and v is not None]


def _references(html: str) -> list[str]:
    parser = _References()
    parser.feed(html)
    return parser.found


def test_page_loads_only_what_the_emulator_serves(batch_emulator: EmulatorHandle) -> None:
    page = httpx.get(batch_emulator.url + "/_emulator/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    parts = [part.split() for part in page.headers["content-security-policy"].split(";")]
    policy = {words[0]: words[1:] for words in parts}
    assert policy["default-src"] == ["'none'"]
    for directive in ("script-src", "style-src", "img-src", "connect-src"):
        assert policy[directive] == ["'self'"], directive
    refs = _references(page.text)
    assert refs, "the page references its script and stylesheet"
    for ref in refs:
        assert not re.match(r"^([a-z][a-z0-9+.-]*:|//)", ref, re.I), f"absolute reference {ref}"
        asset = httpx.get(f"{batch_emulator.url}/_emulator/{ref}")
        assert asset.status_code == 200, ref
    assert {Path(r).name for r in refs} == {"icon.svg", "style.css", "app.js"}


def test_no_file_names_another_host() -> None:
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8").replace(SVG_NAMESPACE, "")
        assert not re.search(r"[a-z][a-z0-9+.-]*://", text, re.I), path.name
        assert "@import" not in text and "//cdn" not in text, path.name
        assert "url(" not in text, path.name  # no fonts or images pulled in by CSS
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    assert re.findall(r"\bfetch\((\w+)", script) == ["path", "href"]  # through `api()` only
    assert not re.search(r"\b(XMLHttpRequest|WebSocket|EventSource|importScripts)\b", script)


def test_bare_path_redirects_and_unknown_assets_are_404(batch_emulator: EmulatorHandle) -> None:
    bare = httpx.get(batch_emulator.url + "/_emulator", follow_redirects=False)
    assert bare.status_code in (301, 302, 307, 308)
    assert bare.headers["location"].endswith("/_emulator/")
    for name in ("nope.js", "index.html", "..%2Fapp.py"):
        missing = httpx.get(f"{batch_emulator.url}/_emulator/static/{name}")
        assert missing.status_code == 404, name
        assert missing.json()["error"]["status"] == 404


def test_every_static_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["emulator"]
    for path in STATIC.iterdir():
        relative = path.relative_to(ROOT / "emulator").as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative


def test_serve_banner_links_the_dashboard() -> None:
    for flavor in ("all", "bifrost"):
        assert "Dashboard:  http://127.0.0.1:9/_emulator/" in banner("http://127.0.0.1:9", flavor)
