"""What a person sees on a projector: every page at 1280×720 and 1920×1080, with the longest
names of the store (TC Bordeaux and its four parcours, GACO and its sites), measured in Chromium:
no labelled element is clipped (buttons, pills, tab labels, metric labels, sidebar links, the
values shown in select boxes:
``scrollWidth > clientWidth``), nothing overflows the page sideways, and on Simulation a slider
and the cards it moves are on screen together. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import pytest
from browser_kit import ARTIFACTS, browser, no_page_not_found, server, settle  # noqa: F401

TC_S3 = (
    "formation=TC&semestre=S3&document=MCC+IUT+multisite+%C2%B7+Bordeaux"
    "&parcours=Business+d%C3%A9veloppement+et+management+de+la+relation+client+%C2%B7+MCC+IUT+multisite+%C2%B7+Bordeaux"
    "&parcours=Business+international+%3A+achat+et+vente+%C2%B7+MCC+IUT+multisite+%C2%B7+Bordeaux"
    "&parcours=Marketing+digital%2C+e-business+et+entrepreneuriat+%C2%B7+MCC+IUT+multisite+%C2%B7+Bordeaux"
    "&parcours=Marketing+et+management+du+point+de+vente+%C2%B7+MCC+IUT+multisite+%C2%B7+Bordeaux"
)
PAGES = [
    ("accueil", "/"),
    ("comparer-tc", "/Comparer_les_parcours?" + TC_S3),
    ("comparer-qlio", "/Comparer_les_parcours?formation=QLIO&semestre=S3"),
    ("poids-tc", "/Poids_par_UE?" + TC_S3.replace("parcours=", "tableaux=")),
    ("poids-toutes", "/Poids_par_UE?vue=toutes+les+formations&niveau=BUT2+%28ann%C3%A9e%29"),
    ("simulation", "/Simulation_de_notes?formation=GACO"),
    ("donnees", "/Donnees?formation=GACO&semestre=S3"),
    ("scenarios", "/Scenarios?formation=QLIO"),
]
SIZES = [(1280, 720), (1920, 1080)]

# Elements whose label must never be cut (text overflowing its box).
CLIPPED_JS = """() => {
  const sel = ["button p", "[data-testid='stMetricLabel'] p", "[data-testid='stMetricValue']",
               "[data-testid='stTab'] p", "[data-testid='stSidebarNav'] a span",
               "input[role='combobox']",
               "[data-testid='stPageLink'] p", "[data-testid='stWidgetLabel'] p",
               "[data-baseweb='tag'] span"];
  const out = [];
  for (const s of sel) for (const e of document.querySelectorAll(s)) {
    if (!e.offsetParent) continue;  // hidden (an other tab, a closed expander)
    if (e.scrollWidth > e.clientWidth + 1) out.push(s + " :: " + e.innerText.slice(0, 80));
  }
  return out;
}"""
OVERFLOW_JS = """() => {
  const main = document.querySelector("[data-testid='stMain']") || document.body;
  return main.scrollWidth - main.clientWidth;
}"""


@pytest.mark.parametrize("width,height", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("name,path", PAGES, ids=[p[0] for p in PAGES])
def test_nothing_is_clipped(server, browser, name, path, width, height):
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    pg = ctx.new_page()
    try:
        pg.goto(server + path)
        settle(pg)
        no_page_not_found(pg)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"mise-en-page-{name}-{width}x{height}.png"))
        assert pg.evaluate(CLIPPED_JS) == []
        assert pg.evaluate(OVERFLOW_JS) <= 1, "the page scrolls sideways"
        body = pg.locator("body").inner_text()
        assert "None" not in body.split() and "nan" not in body.split()
    finally:
        ctx.close()


def test_slider_and_its_cards_are_seen_together(server, browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 720}, locale="fr-FR")
    pg = ctx.new_page()
    try:
        pg.goto(server + "/Simulation_de_notes?formation=QLIO")
        settle(pg)
        sliders = pg.locator("[data-testid='stSlider']")
        last = sliders.nth(sliders.count() - 1)
        last.scroll_into_view_if_needed()  # the bottom of the sliders' column
        pg.wait_for_timeout(300)
        box = last.bounding_box()
        assert box is not None and 0 <= box["y"] <= 720
        card = pg.locator(".ue-card").first.bounding_box()
        assert card is not None and 0 <= card["y"] and card["y"] + card["height"] <= 720, card
        preset = pg.get_by_role("button", name="Tout à 10").bounding_box()
        assert preset is not None and 0 <= preset["y"] <= 720  # presets always reachable
        pg.screenshot(path=str(ARTIFACTS / "simulation-curseur-et-cartes.png"))
    finally:
        ctx.close()
