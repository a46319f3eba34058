"""Module-rows layout (a): the QLIO document's own 18 tables, printed as a PDF with ruled tables
(``pdf_fixtures.qlio_pdf``: every number is the token of its source line), read back.

The expected values are the document's: each table as the text reader reads it from
``000_f0acc9a397de0cbd.txt`` (tested against the document in ``test_modules_layout.py``).
"""

from __future__ import annotations

import pdf_fixtures as fx
import pytest
from conftest import QLIO

from butdata.readers import read_document, read_text_lines
from butdata.store import build_store, open_store


@pytest.fixture(scope="module")
def text_doc():
    return read_document(QLIO)


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory, text_doc):
    path = tmp_path_factory.mktemp("qlio_pdf") / "mcc_qlio.pdf"
    path.write_bytes(fx.qlio_pdf(text_doc, read_text_lines(QLIO)))
    return path


@pytest.fixture(scope="module")
def pdf_doc(pdf_path):
    return read_document(pdf_path)


def test_851_values_read_back(text_doc, pdf_doc):
    # 851 = 781 non-zero UE coefficients + 70 UE ECTS. 781: the non-zero numbers among the
    # last n_UE tokens of the 321 module lines (awk over the text: 781); 70 UEs: S1, S2 with 3
    # UEs each, the 16 tables of S3-S6 with 4 each (2 x 3 + 16 x 4 = 70).
    n_coefficients = sum(len(t.coefficients) for t in pdf_doc.tables)
    n_ects = sum(u.ects is not None for t in pdf_doc.tables for u in t.ues)
    assert (n_coefficients, n_ects) == (781, 70)
    assert n_coefficients + n_ects == 851
    assert len(pdf_doc.tables) == 18 and pdf_doc.layout == "pdf-modules"
    for a, b in zip(text_doc.tables, pdf_doc.tables, strict=True):
        assert (a.title, a.semester, a.parcours, a.alternance, a.formation, a.year) == (
            b.title,
            b.semester,
            b.parcours,
            b.alternance,
            b.formation,
            b.year,
        )
        assert (a.declared_total, a.declared_ects) == (b.declared_total, b.declared_ects)
        assert [(u.code, u.competence, u.name, u.ects, u.total) for u in a.ues] == [
            (u.code, u.competence, u.name, u.ects, u.total) for u in b.ues
        ]
        assert [
            (m.code, m.name, m.kind, m.semester_coefficient, m.section, m.position)
            for m in a.modules
        ] == [
            (m.code, m.name, m.kind, m.semester_coefficient, m.section, m.position)
            for m in b.modules
        ]
        assert [
            (c.competence, c.position, c.coefficient, c.printed, c.module_code, c.module_name)
            for c in a.coefficients
        ] == [
            (c.competence, c.position, c.coefficient, c.printed, c.module_code, c.module_name)
            for c in b.coefficients
        ]
        assert b.status == a.status == "complete"
        # Same warnings (code variants, one title for two SAÉ), each naming its page.
        assert sorted(i.code for i in a.issues) == sorted(i.code for i in b.issues)
        assert all(i.message.startswith(f"page {i.line} : ") for i in b.issues)


def test_values_keep_their_cell(pdf_doc):
    t = next(t for t in pdf_doc.tables if t.title == "Semestre 2 BUT QLIO")
    # QLIO line 125: "SAE2.01 SAÉ: Projet opérationnel 5.1 1.70 1.70 1.70"
    sae = [c for c in t.coefficients if c.module_code == "SAE2.01"]
    assert [(c.printed, c.row_label, c.column_label) for c in sae] == [
        ("1.70", "SAE2.01", "Coeff UE21"),
        ("1.70", "SAE2.01", "Coeff UE22"),
        ("1.70", "SAE2.01", "Coeff UE23"),
    ]
    assert all(c.page == c.line and c.bbox is not None for c in sae)
    boxes = [c.bbox for c in sae]
    assert boxes[0][2] <= boxes[1][0] + 0.01 and boxes[1][2] <= boxes[2][0] + 0.01  # UE order


def test_a_pdf_in_the_sources_builds_into_the_store(pdf_path, tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / pdf_path.name).write_bytes(pdf_path.read_bytes())
    db = tmp_path / "store.duckdb"
    report = build_store(sources, db)
    assert [(d.layout, d.tables, d.by_status["complete"]) for d in report.documents] == [
        ("pdf-modules", 18, 18)
    ]
    con = open_store(db)
    try:
        assert con.execute("SELECT count(*) FROM coefficients").fetchall() == [(781,)]
        assert con.execute(
            "SELECT count(*) FROM coefficients WHERE source_page = source_line AND row_label "
            "IS NOT NULL AND column_label LIKE 'Coeff UE%' AND cell_x0 < cell_x1 "
            "AND cell_top < cell_bottom"
        ).fetchall() == [(781,)]
    finally:
        con.close()
