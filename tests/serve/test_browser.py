"""End to end in a real browser: headless Debian Chromium driven by Playwright against a real
uvicorn server on a loopback port. Clicks front page -> story -> source -> search, saves
screenshots under build/screenshots/, and checks that no hostile payload ever runs (no dialog,
no CSP violation, the page's own script does run).

Needs Chromium from apt (``scripts/setup-test-system.sh``) and playwright from PyPI; skipped,
saying so, when Chromium is absent."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists()
                                         else None)
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None,
                       reason="chromium not installed: run scripts/setup-test-system.sh"),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright not installed: run scripts/setup-test-system.sh")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watch:
    """Collects dialogs (alert/confirm/prompt), console errors and page errors of one page."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", self._dialog)
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    watch = Watch(pg)
    yield pg, watch
    context.close()


def _shot(pg: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_click_through_front_story_source_search(live_server: str,
                                                 page: tuple[Any, Watch]) -> None:
    pg, watch = page
    pg.goto(live_server + "/")
    assert pg.title() == "Stories · storyline"
    cards = pg.locator("article.card")
    assert cards.count() == 2
    assert pg.locator("article.card svg.spark rect").count() >= 2
    _shot(pg, "1-front")

    pg.locator("article.card h2 a", has_text="Riverton bridge").first.click()
    pg.wait_for_url("**/stories/**")
    assert "Riverton bridge" in pg.locator("h1").inner_text()
    for heading in ("Summary", "Timeline", "Articles by source", "Storyline"):
        assert pg.locator("h2", has_text=heading).count() == 1
    _shot(pg, "2-story")

    # a citation of a folded near-duplicate opens its <details> (app.js ran under the CSP)
    copy = pg.locator("a.cite[href='#a-br-3-copy']")
    if copy.count():
        copy.first.click()
    else:
        pg.goto(pg.url.split("#")[0] + "#a-br-3-copy")
    pg.wait_for_function("document.getElementById('a-br-3-copy').closest('details').open")
    assert pg.locator("#a-br-3-copy").is_visible()

    pg.locator(".source-group h3 a", has_text="Valley Herald").click()
    pg.wait_for_url("**/sources/Valley%20Herald")
    assert pg.locator("h1").inner_text() == "Valley Herald"
    assert pg.locator("article.card").count() == 2
    _shot(pg, "3-source")

    pg.fill("header input[name=q]", "corroded cables")
    pg.press("header input[name=q]", "Enter")
    pg.wait_for_url("**/search?q=corroded+cables")
    marks = pg.locator(".article-hits mark").all_inner_texts()
    assert marks and {m.lower() for m in marks} <= {"corroded", "cables"}
    pg.fill("form.search-form input[name=since]", "2025-05-02")
    pg.locator("form.search-form button").click()
    pg.wait_for_url("**since=2025-05-02**")
    times = pg.locator(".article-hits time").all_inner_texts()
    assert times and all(t.startswith("2025-05-02") for t in times)
    _shot(pg, "4-search")

    assert watch.dialogs == []
    assert watch.errors == []


def test_hostile_payloads_never_run(live_server: str, page: tuple[Any, Watch],
                                    hostile: dict[str, str]) -> None:
    pg, watch = page
    pg.goto(live_server + "/")
    pg.locator("article.card h2 a", has_text="Riverton bridge").first.click()
    pg.wait_for_url("**/stories/**")
    evil = pg.locator("#a-br-evil")
    assert hostile["title"] in evil.inner_text()  # shown verbatim, as text
    assert evil.locator("a.title").count() == 0  # javascript: URL is not a link
    assert pg.locator("img, iframe, object, embed").count() == 0
    assert pg.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    evil.scroll_into_view_if_needed()
    evil.hover()
    pg.locator("a", has_text="Evil Wire").first.hover()
    _shot(pg, "5-hostile-story")
    for q in ("onerror", "script alert"):
        pg.goto(f"{live_server}/search?q={q}")
        assert pg.locator("mark").count() >= 1
    pg.goto(live_server + "/entities/%3Cimg%20src%3Dx%20onerror%3Dalert(4)%3E")
    assert "<img src=x onerror=alert(4)>" in pg.locator("h1").inner_text()
    assert watch.dialogs == []
    assert watch.errors == []


def test_narrow_screen_and_no_javascript(live_server: str, browser: Any) -> None:
    """The story page reads on a phone-sized screen, and works with JavaScript off."""
    context = browser.new_context(viewport={"width": 390, "height": 844},
                                  java_script_enabled=False)
    try:
        pg = context.new_page()
        pg.goto(live_server + "/")
        pg.locator("article.card h2 a", has_text="Riverton bridge").first.click()
        pg.wait_for_url("**/stories/**")
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"page scrolls sideways ({width}px)"
        _shot(pg, "6-story-narrow-nojs")
        pg.fill("header input[name=q]", "library")
        pg.press("header input[name=q]", "Enter")
        pg.wait_for_url("**/search?q=library")
        assert pg.locator(".article-hits li").count() == 3
    finally:
        context.close()
