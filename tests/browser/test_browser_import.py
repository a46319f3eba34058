"""Importing a PDF through the Données page in a real browser (Debian's chromium via Playwright):
drop the ORéBUT grid PDF of tests/pdf_fixtures.py, « Vérifier le fichier », see each table's
preview (identity, checks, mini-matrix, the cell of a value), untick one, « Importer », and the
store holds exactly the table kept. Screenshots under tests/artifacts/."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pdf_fixtures as fx
from browser_kit import ARTIFACTS, browser, serve, settle  # noqa: F401
from conftest import qlio_site

from butdata.store import open_store

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A writable store of the QLIO document, served in local mode (the OS user is an editor)."""
    d = tmp_path_factory.mktemp("browser-import")
    sources, db = qlio_site(d)
    with serve(db, d / "server.log", {"BUTDATA_JOURNAL": str(d / "j.jsonl")}) as url:
        yield url, sources, db, d


def test_import_a_pdf_with_its_preview(site, browser):
    url, sources, db, tmp = site
    pdf = tmp / "MCC TC Périgueux.pdf"
    pdf.write_bytes(fx.grid_pdf())
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    pg = ctx.new_page()
    try:
        pg.goto(url + "/Donnees")
        settle(pg)
        pg.get_by_role("tab", name="Importer").click()
        pg.wait_for_timeout(300)
        pg.locator("input[type='file']").set_input_files(str(pdf))
        settle(pg)
        pg.get_by_role("button", name="Vérifier le fichier").click()
        settle(pg)
        main = pg.locator("[data-testid='stMain']")
        main.get_by_text("lu comme PDF des MCC (grille ORéBUT").wait_for()
        assert main.get_by_text("2 tableau(x) trouvé(s)").count() == 1
        # Each table's identity and checks (S2's UE 2.2 prints 11 where 3 + 6 + 1 = 10).
        assert main.get_by_text("Techniques de commercialisation").count() == 2
        assert main.get_by_text("UE 2.2 : somme des coefficients 10 ≠ total imprimé 11").count()
        assert main.locator("[data-testid='stDataFrame']").count() >= 2  # the mini-matrices
        # « Voir la source » of a value of S1: its cell drawn from the uploaded PDF.
        picker = main.locator("[data-testid='stSelectbox']").filter(
            has_text="Voir la source d'une valeur"
        )
        picker.first.locator("input").click()
        pg.keyboard.type("Fondamentaux de la vente × UE 1.2")
        pg.wait_for_timeout(500)
        pg.get_by_role("option").filter(has_text="« 7,5 » (page 1)").first.click()
        settle(pg)
        image = main.locator("[data-testid='stImage'] img").first
        image.wait_for()
        assert image.evaluate("e => e.naturalWidth") > 50
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        image.scroll_into_view_if_needed()
        pg.screenshot(path=str(ARTIFACTS / "import-pdf-apercu.png"))

        # Untick S2, import S1 only: its 15 non-zero values (UE 1.1: 4, 6, 2, 3, 1; UE 1.2: 5,
        # 7,5, 1,5, 1; UE 1.3: 2, 2, 1, 1, 4, 2).
        main.get_by_text("TC · S2 · tronc commun · Périgueux").first.click()
        settle(pg)
        main.get_by_text("Tableaux : 1 ajouté(s), 1 écarté(s).").wait_for()
        pg.get_by_role("button", name="Importer et reconstruire la base").click()
        settle(pg)
        main.get_by_text("Import terminé").wait_for(timeout=60_000)
        pg.screenshot(path=str(ARTIFACTS / "import-pdf-termine.png"))
        body = pg.locator("body").inner_text()
        assert "Traceback" not in body
    finally:
        ctx.close()
    con = open_store(db)
    try:
        rows = con.execute(
            "SELECT table_id, count(*) FROM coefficients JOIN tables USING (table_id) "
            "WHERE source = ? GROUP BY 1",
            ["MCC_TC_Perigueux.pdf"],
        ).fetchall()
    finally:
        con.close()
    assert rows == [("MCC_TC_Perigueux.pdf:tc-perigueux-s1", 15)]
    assert (sources / "MCC_TC_Perigueux.pdf").read_bytes() == pdf.read_bytes()
