"""« Voir la source » of a value stored from a PDF: the page region with its cell, as an image
(issue 15, item 2), on the dashboard and not only in the import preview."""

from __future__ import annotations

import io
from pathlib import Path

import pdf_fixtures as fx
import pytest
from conftest import ROOT
from PIL import Image
from streamlit.testing.v1 import AppTest

from butdata.analysis import queries
from butdata.analysis.source_view import pdf_cell
from butdata.errors import ButdataError
from butdata.store import build_store, open_store

APP = ROOT / "app.py"
SIMULATION = "pages/3_Simulation_de_notes.py"


@pytest.fixture()
def pdf_store(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A store built from the ORéBUT-grid PDF of the fixtures alone (TC S1 and S2)."""
    import streamlit as st

    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "orebut_tc.pdf").write_bytes(fx.grid_pdf())
    db = tmp_path / "store.duckdb"
    build_store(sources, db)
    monkeypatch.setenv("BUTDATA_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield sources, db
    st.cache_data.clear()
    st.cache_resource.clear()


def _r102_ue12(db: Path) -> dict:
    con = open_store(db)
    try:
        ids = queries.overview_tables(con)["table_id"].to_list()
        frames = queries.table_frames(con, ids)
    finally:
        con.close()
    coefs = frames["coefficients"]
    rows = [
        r
        for r in coefs.iter_rows(named=True)
        if r["module_code"] == "R1.02" and r["ue"] == "UE 1.2"
    ]
    assert len(rows) == 1, rows
    return rows[0]


def test_a_stored_pdf_value_keeps_its_page_and_cell_and_draws_it(pdf_store):
    sources, db = pdf_store
    r = _r102_ue12(db)
    assert r["printed"] == "7,5" and r["source_page"] == 1  # the grid prints « 7,5 » on page 1
    bbox = (r["cell_x0"], r["cell_top"], r["cell_x1"], r["cell_bottom"])
    assert all(v is not None for v in bbox) and bbox[0] < bbox[2] and bbox[1] < bbox[3]
    png = pdf_cell(sources, "orebut_tc.pdf", 1, bbox)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.width > 50 and image.height > 20
    with pytest.raises(ButdataError, match="introuvable"):
        pdf_cell(sources, "../orebut_tc.pdf", 1, bbox)


def test_simulation_source_of_a_pdf_ue_is_an_image_of_its_cells(pdf_store):
    at = AppTest.from_file(str(APP), default_timeout=60).run().switch_page(SIMULATION).run()
    assert not at.exception, at.exception
    assert any(e.label == "Voir la source d'une UE" for e in at.expander)
    images = at.get("image")
    assert images, "no cell image for a PDF value"
    captions = "\n".join(c.value for c in at.caption)
    assert "fichier orebut_tc.pdf, page 1" in captions
