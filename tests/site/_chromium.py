"""What the browser tests share: the system's headless Chromium driven by Playwright, and how a
reader types into Material's search box. A test module imports its ``browser`` fixture from here;
without Playwright or Chromium the importing module is skipped, with the reason."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Iterator

import pytest

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is not installed (pip install '.[dev]'); the browser test needs it")

# Debian's wrapper script (apt install chromium), then whatever PATH offers.
CHROMIUM = next((c for c in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
                 if c and Path(c).is_file()), None)
if CHROMIUM is None:
    pytest.skip("no Chromium executable (looked for /usr/bin/chromium, chromium and chromium-browser on PATH); "
                "install it with 'apt-get install chromium' (Playwright's own browser download is not used)",
                allow_module_level=True)

# Headless, offline, no background traffic to Google's services (the machine's network is closed).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-extensions"]
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def type_query(page: object, query: str) -> None:
    """Open the header's search box, wait until the search worker has built its index (the box's
    status line turns from "Initializing search" to the theme's "Type to start searching"), then
    type ``query`` key by key. Waiting for that condition, not for a time, keeps the test steady
    on a busy machine.

    Material searches on the input's ``keyup``. Playwright enters a character that is not on the
    keyboard (Chinese) as inserted text, without key events, where a person's input method ends
    each committed word with a key release; that release is sent explicitly."""
    config = json.loads(page.locator("#__config").text_content() or "{}")
    ready = config["translations"]["search.result.placeholder"]
    search = page.locator(".md-search__input")
    search.click()
    sync_api.expect(page.locator(".md-search-result__meta")).to_have_text(ready)
    search.press_sequentially(query)
    search.dispatch_event("keyup")
