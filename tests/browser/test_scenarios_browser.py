"""The Scénarios page in Chromium: copy QLIO S3 QMI, edit it (move 0,5 from R3.07 to SAE3.01 in
UE31, with the page's own controls), save it, then open it again in a fresh browser context by
its link (?scenario=NAME). The server runs on a writable copy of the QLIO document (a save
rebuilds the store), never on the shared test store.

Expected: UE31's SAÉ share 3,3 / 8 = 41,25 % before, 3,8 / 8 = 47,5 % after (document 000,
lines 388, 402, 413), read in the chart's bar labels (SVG text)."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request

import pytest
from browser_kit import ARTIFACTS, browser, no_page_not_found, serve, settle  # noqa: F401
from conftest import qlio_site

pytestmark = pytest.mark.browser

ORIGIN = "S3 · QMI · MCC QLIO 2025-2026"
NAME = "Essai navigateur"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return qlio_site(tmp_path_factory.mktemp("scenario-site"))


@pytest.fixture(scope="module")
def server(site):
    _, db = site
    with serve(db, db.parent / "server.log", drop_env=("BUTDATA_SHARED",)) as url:
        yield url


def _choose(pg, label: str, value: str) -> None:
    """Pick ``value`` in the select box labelled ``label`` (type, then Enter)."""
    box = pg.locator("[data-testid='stSelectbox']").filter(
        has=pg.locator("[data-testid='stWidgetLabel']", has_text=re.compile(f"^{label}$"))
    )
    box.first.locator("input").click()
    pg.keyboard.type(value)
    pg.locator("[role='option']", has_text=value).first.click()
    settle(pg)


def _bar_labels(pg) -> str:
    text = pg.evaluate(
        "() => Array.from(document.querySelectorAll('.js-plotly-plot text'))"
        ".map(t => t.textContent).join(' ')"
    )
    return str(text).replace("\u202f", " ").replace("\u00a0", " ")


def test_edit_save_and_reopen_by_link(server, browser, site):
    sources, _ = site
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    pg = ctx.new_page()
    try:
        pg.goto(f"{server}/Scenarios?formation=QLIO&origine={urllib.parse.quote_plus(ORIGIN)}")
        settle(pg)
        no_page_not_found(pg)
        assert "41,25 %" in _bar_labels(pg)
        _choose(pg, "De", "R3.07")
        _choose(pg, "Vers", "SAE3.01")
        pg.get_by_role("button", name="Déplacer").click()
        settle(pg)
        body = pg.locator("body").inner_text()
        assert "R3.07 UE31 : 1,5 → 1,0" in body and "SAE3.01 UE31 : 1,8 → 2,3" in body
        assert "47,5 %" in _bar_labels(pg)
        name = pg.get_by_label("Nom du scénario")
        name.fill(NAME)
        name.press("Enter")
        settle(pg)
        pg.get_by_role("button", name="Enregistrer le scénario").click()
        settle(pg)
        pg.get_by_text(f"Scénario « {NAME} » enregistré").wait_for(timeout=30_000)
        assert f"scenario={urllib.parse.quote_plus(NAME)}" in pg.url.replace("%20", "+")
        assert (sources.parent / "scenarios" / "essai-navigateur.json").is_file()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / "scenarios-enregistre.png"), full_page=True)
        pg.evaluate("window.scrollTo(0, 0)")
    finally:
        ctx.close()

    # another person opens the link: the saved proposal, its changes, its figures
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    pg = ctx.new_page()
    try:
        pg.goto(f"{server}/Scenarios?scenario={urllib.parse.quote(NAME)}")
        settle(pg)
        no_page_not_found(pg)
        body = pg.locator("body").inner_text()
        assert f"« {NAME} »" in body
        assert "R3.07 UE31 : 1,5 → 1,0" in body
        assert "47,5 %" in _bar_labels(pg)
    finally:
        ctx.close()
