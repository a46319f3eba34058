"""« Imprimer / PDF » of every page: what the page drew (its selection, tables, figures, sources)
becomes an A4 landscape PDF, read back with poppler: page count (pdfinfo = the footer's « page
n / N »), the page title, the selection and every figure's title in the text, the figures as
images."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest
from pdftools import Pdf, chromium
from streamlit.testing.v1 import AppTest

from ui import printing

APP = Path(__file__).parents[1] / "app.py"
PAGES = [
    ("app.py", {}, "Vue d'ensemble"),
    ("pages/1_Comparer_les_parcours.py", {}, "Comparer les parcours"),
    ("pages/2_Poids_par_UE.py", {}, "Poids par UE"),
    ("pages/3_Simulation_de_notes.py", {}, "Simulation de notes"),
    ("pages/4_Donnees.py", {"formation": "QLIO", "semestre": "S2"}, "Données"),
    ("pages/5_Scenarios.py", {"origine": "S3 · QMI · MCC QLIO 2025-2026"}, "Scénarios"),
]


@pytest.fixture(autouse=True)
def _fresh(store_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("BUTDATA_DB", str(store_path))
    monkeypatch.setenv("BROWSER_PATH", str(chromium()))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ").replace("\u202f", " "))


@pytest.mark.parametrize("page,params,title", PAGES, ids=[p[2] for p in PAGES])
def test_every_page_prints(page, params, title, tmp_path):
    at = AppTest.from_file(str(APP), default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    if page != "app.py":
        at.switch_page(page).run()
    assert not at.exception
    assert any(b.label == "Imprimer / PDF" for b in at.get("download_button"))
    collected = at.session_state["_print_page"]
    assert collected.title == title and collected.selection or page == "app.py"
    pdf = Pdf(printing.pdf_bytes(collected, datetime(2026, 12, 1, 10, 42)), tmp_path / "p.pdf")
    info = pdf.info()
    assert info["Page size"].startswith("841.89 x 595.276")  # A4 landscape
    text = _norm(pdf.text())
    assert f"page {pdf.pages} / {pdf.pages}" in text  # the footer counts the pages pdfinfo sees
    assert title in text and "généré le 1er décembre 2026 à 10:42" in text
    for label, value in collected.selection:
        assert _norm(f"{label} : {value}")[:60] in text, (label, value)
    figures = [t for kind, _, t in collected.blocks if kind == "figure"]
    for fig_title in figures:
        assert _norm(fig_title)[:50] in text, fig_title
    assert len(pdf.images()) == len(figures)
    if collected.sources:
        assert "Sources" in text
