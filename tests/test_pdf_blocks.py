"""Block-layout MCC (layout b) read from a PDF and from an XLSX draft.

The documents are built by ``tests/pdf_fixtures.py`` from numbers written there by hand (the
totals printed in them are hand sums, noted beside each). The values expected below are
copied from those literals or computed by hand here, never from the reader's output.
"""

from __future__ import annotations

import io

import pdf_fixtures as fx
import pdfplumber
import pytest
from PIL import Image

from butdata.readers import read_document
from butdata.readers.pdf.headings import parse_heading
from butdata.readers.pdf.snippet import cell_image
from butdata.vocab import PORTFOLIO, RESSOURCE, SAE, STAGE, block_module_kind, parse_ue_code

A, B = fx.PARCOURS_A, fx.PARCOURS_B
# (semester, parcours, page) of each table, in the document's order (pdf_fixtures.blocks_pdf).
LAYOUT_OF_DOC = [
    (1, None, 1),
    (2, None, 2),
    (3, A, 3),
    (4, A, 4),
    (5, A, 5),
    (6, A, 5),
    (5, B, 6),
    (6, B, 6),
]


@pytest.fixture(scope="module")
def pdf_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("blocks") / "mcc_mmi.pdf"
    path.write_bytes(fx.blocks_pdf())
    return path


@pytest.fixture(scope="module")
def doc(pdf_path):
    return read_document(pdf_path)


@pytest.fixture(scope="module")
def xlsx_doc(tmp_path_factory):
    path = tmp_path_factory.mktemp("blocks_xlsx") / "mcc_mmi.xlsx"
    path.write_bytes(fx.blocks_workbook())
    return read_document(path)


def table(doc, semester, parcours):
    return next(t for t in doc.tables if (t.semester, t.parcours) == (semester, parcours))


def values(t):
    """{(module name, kind, competence code): printed} of a table."""
    codes = {u.competence: u.code for u in t.ues}
    return {(c.module_name, c.kind, codes[c.competence]): c.printed for c in t.coefficients}


def test_the_c_form_of_ue_codes_and_the_kind_of_a_block_row():
    assert parse_ue_code("C3.1") == (3, 1) and parse_ue_code("c5.4") == (5, 4)
    assert parse_ue_code("UE 3.1") == (3, 1) and parse_ue_code("UE31") == (3, 1)
    assert parse_ue_code("C31") is None and parse_ue_code("C3") is None
    assert block_module_kind(SAE, "Portfolio") == PORTFOLIO
    assert block_module_kind(SAE, "Stage de fin d'études") == STAGE
    assert block_module_kind(SAE, "Développement web") == SAE
    assert block_module_kind(RESSOURCE, "Stage") == RESSOURCE  # a ressource is a ressource


def test_headings_say_what_they_print():
    h = parse_heading("B.U.T. Techniques de commercialisation (Périgueux) Semestre 3 Parcours X")
    assert (h.formation, h.site, h.semester, h.parcours) == ("TC", "Périgueux", 3, "X")
    h = parse_heading("Troisième année – Semestre 5")
    assert (h.level, h.semester) == (3, 5)
    assert parse_heading("Parcours A (par alternance)").alternance
    assert not parse_heading("Les notes du semestre 3 sont publiées").structural
    assert parse_heading("MCC B.U.T. MMI 2025-2026 — page 3").formation is None


def test_eight_semesters_headings_carried_over(doc):
    # Page 1 names the formation, page 2 only « Semestre 2 »; page 3 « Deuxième année » and
    # parcours A, page 4 only « Semestre 4 »; page 5 « Troisième année » (parcours A carried),
    # S5 and S6 stacked; page 6 parcours B (year carried), S5 and S6 side by side.
    assert [(t.semester, t.parcours, t.line) for t in doc.tables] == LAYOUT_OF_DOC
    assert {t.formation for t in doc.tables} == {"MMI"}
    assert {t.formation_name for t in doc.tables} == {"Métiers du multimédia et de l'internet"}
    assert {t.year for t in doc.tables} == {"2025-2026"}
    assert {t.layout for t in doc.tables} == {"blocks"} and doc.layout == "pdf-blocks"
    assert doc.title == "B.U.T. Métiers du multimédia et de l'internet" and doc.n_lines == 6
    assert table(doc, 2, None).title == (
        "B.U.T. Métiers du multimédia et de l'internet · Première année · Semestre 2"
    )
    assert table(doc, 4, A).title == (
        "B.U.T. Métiers du multimédia et de l'internet · Deuxième année · "
        f"Parcours {A} · Semestre 4"
    )
    assert table(doc, 6, B).title.endswith(f"Troisième année · Parcours {B} · Semestre 6")
    assert len({t.table_id for t in doc.tables}) == 8


def test_competences_are_the_ues(doc):
    s3 = table(doc, 3, A)
    assert [(u.code, u.competence, u.ects) for u in s3.ues] == [
        ("C3.1", 1, 6),
        ("C3.2", 2, 6),
        ("C3.3", 3, 6),
        ("C3.4", 4, 6),
        ("C3.5", 5, 6),
    ]
    assert s3.ues[0].name == "Comprendre les écosystèmes, les besoins des utilisateurs"
    # « Total Ressources SAÉ semestre 3 »: 1+3 | 3+2 | 1,5+2,5 | 3+4,5 | 2,5+1
    assert [u.total for u in s3.ues] == [4, 5, 4, 7.5, 3.5]
    assert all(u.sum_ok for u in s3.ues)
    # Third year: only the parcours' competences, 1, 4 and 5, 10 ECTS each.
    s5 = table(doc, 5, A)
    assert [(u.code, u.competence, u.ects) for u in s5.ues] == [
        ("C5.1", 1, 10),
        ("C5.4", 4, 10),
        ("C5.5", 5, 10),
    ]
    assert [(u.code, u.ects) for u in table(doc, 6, B).ues] == [("C6.1", 15), ("C6.2", 15)]


def test_a_ressource_and_an_sae_of_the_same_name_are_two_modules(doc):
    s1 = table(doc, 1, None)
    web = [m for m in s1.modules if m.name == "Développement web"]
    assert [(m.kind, m.code) for m in web] == [(RESSOURCE, None), (SAE, None)]
    assert web[0].position != web[1].position
    v = values(s1)
    assert v[("Développement web", RESSOURCE, "C1.4")] == "3"
    assert v[("Développement web", SAE, "C1.4")] == "2,5"
    assert [c.coefficient for c in s1.coefficients if c.module_name == "Développement web"] == [
        3.0,
        2.5,
    ]


def test_portfolio_and_stage_rows_even_empty(doc):
    s4 = table(doc, 4, A)
    assert [(m.name, m.kind) for m in s4.modules] == [
        ("Anglais", RESSOURCE),
        ("Développement back-end", RESSOURCE),
        ("Gestion de projet", RESSOURCE),
        ("Application web interactive", SAE),
        ("Portfolio", PORTFOLIO),
        ("Stage", STAGE),
    ]
    assert not [c for c in s4.coefficients if c.kind in (PORTFOLIO, STAGE)]  # all empty
    s6 = table(doc, 6, A)
    assert values(s6)[("Stage", STAGE, "C6.5")] == "12,5"
    assert [c.coefficient for c in s6.coefficients if c.kind == STAGE] == [8, 10, 12.5]


def test_every_value_with_its_module(doc):
    semesters = dict(zip([(s, p) for s, p, _ in LAYOUT_OF_DOC], fx.BLOCK_SEMESTERS))
    total = 0
    for (number, parcours), s in semesters.items():
        expected = {}
        for kind, rows in ((RESSOURCE, s.ressources), (SAE, s.saes)):
            for name, cells in rows:
                kind_of_row = block_module_kind(kind, name)
                for code, printed in zip(s.codes, cells):
                    if printed:
                        expected[(name, kind_of_row, code)] = printed
        t = table(doc, number, parcours)
        assert values(t) == expected, (number, parcours)
        assert all(c.module_code is None for c in t.coefficients)
        assert all(m.code is None for m in t.modules)
        total += len(t.coefficients)
    # Counted by hand in pdf_fixtures: S1 10 + 5, S2 9 + 10, S3 6 + 5, S4 5 + 5, S5 (A) 4 + 6,
    # S6 (A) 3 + 3, S5 (B) 3 + 2, S6 (B) 2 + 2.
    assert total == 15 + 19 + 11 + 10 + 10 + 6 + 5 + 4 == 80
    assert sum(u.ects is not None for t in doc.tables for u in t.ues) == 5 * 4 + 3 * 2 + 2 * 2


def test_the_wrong_total_sae_is_a_warning_naming_the_page(doc):
    s4 = table(doc, 4, A)
    assert s4.status == "partial"
    assert [(i.line, i.code, i.message) for i in s4.issues] == [
        (4, "sum_mismatch", "page 4 : « Total SAÉ » C4.4 : imprimé 5,5 ≠ somme des SAÉ 5")
    ]
    # Everything else holds: block totals, UE totals, the three TOTAL NIVEAU (54, 42, 60, 39,5).
    for t in doc.tables:
        if t is not s4:
            assert (t.status, t.issues) == ("complete", []), t.table_id


def test_a_wrong_year_total_is_a_warning(tmp_path):
    path = tmp_path / "mcc.pdf"
    path.write_bytes(fx.blocks_pdf(niveau_1="55"))  # 26,5 + 27,5 = 54
    s2 = table(read_document(path), 2, None)
    assert s2.status == "partial"
    assert [i.message for i in s2.issues] == [
        "page 2 : « TOTAL NIVEAU 1 » : coefficients imprimés 55 ≠ somme de S1 et S2 54"
    ]


def test_each_value_knows_its_cell(doc, pdf_path):
    s4 = table(doc, 4, A)
    c = next(c for c in s4.coefficients if c.module_name == "Développement back-end")
    assert (c.page, c.line, c.row_label, c.column_label, c.printed) == (
        4,
        4,
        "Développement back-end",
        "C4.4",
        "3,5",
    )
    # pdfplumber's own text extraction of that box says the same.
    with pdfplumber.open(pdf_path) as pdf:
        assert pdf.pages[3].crop(c.bbox).extract_text().strip() == "3,5"
    assert all(c.page == c.line and c.bbox for t in doc.tables for c in t.coefficients)


def test_the_cell_as_an_image(doc, pdf_path):
    c = next(c for c in table(doc, 6, A).coefficients if c.printed == "12,5")
    png = cell_image(pdf_path, c.page, c.bbox, margin=40, resolution=144)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    x0, top, x1, bottom = c.bbox
    assert abs(image.width - (x1 - x0 + 80) * 2) <= 2  # 144 dpi = 2 pixels per point
    assert abs(image.height - (bottom - top + 80) * 2) <= 2
    rgb = image.convert("RGB")
    assert rgb.getpixel((80, 80 + round(bottom - top)))[:3] == (220, 38, 38)  # left border


def test_the_same_document_drafted_in_xlsx(xlsx_doc, doc):
    assert xlsx_doc.layout == "blocks-xlsx"
    assert [(t.semester, t.parcours) for t in xlsx_doc.tables] == [
        (s, p) for s, p, _ in LAYOUT_OF_DOC
    ]
    assert [t.table_id for t in xlsx_doc.tables] == [t.table_id for t in doc.tables]
    for x, p in zip(xlsx_doc.tables, doc.tables):
        assert x.status == p.status and x.formation == "MMI"
        assert [(u.code, u.ects, u.total) for u in x.ues] == [
            (u.code, u.ects, u.total) for u in p.ues
        ]
        assert [(c.module_name, c.kind, c.competence, c.coefficient) for c in x.coefficients] == [
            (c.module_name, c.kind, c.competence, c.coefficient) for c in p.coefficients
        ]
        assert all(c.page is None and c.bbox is None and c.column_label for c in x.coefficients)
        assert any(i.code == "draft_sheet" for i in x.issues)
    s3 = table(xlsx_doc, 3, A)  # typed as text with a comma in the sheet: kept as typed
    assert (
        values(s3)[("Stratégie de communication numérique et design d'expérience", SAE, "C3.3")]
        == "2,5"
    )
    s1 = table(xlsx_doc, 1, None)  # a number: its shortest form
    assert values(s1)[("Développement web", SAE, "C1.4")] == "2.5"
    # Lines are sheet rows: headings 1-4, blank, competences header 6, C1.1…C1.5 7-11,
    # blank 12, « Ressources » 13, codes 14, Anglais 15.
    assert [c.line for c in s1.coefficients if c.module_name == "Anglais"] == [15, 15, 15]
    s4 = table(xlsx_doc, 4, A)
    assert [i.message for i in s4.issues if i.code == "sum_mismatch"] == [
        "« Total SAÉ » C4.4 : imprimé 5.5 ≠ somme des SAÉ 5"
    ]


def test_another_way_of_printing_the_blocks(tmp_path):
    path = tmp_path / "mcc_info.pdf"
    path.write_bytes(fx.variants_pdf())
    doc = read_document(path)
    assert [(t.formation, t.semester, t.parcours, t.line) for t in doc.tables] == [
        ("INFO", 1, None, 1),
        ("INFO", 2, None, 2),
    ]
    s1, s2 = doc.tables
    assert [(u.code, u.name, u.ects, u.total) for u in s1.ues] == [
        ("C1.1", "Réaliser", 12, 11),
        ("C1.2", "Optimiser", 8, 2),
        ("C1.3", "Administrer", 10, 10),
    ]
    assert s1.declared_ects == 30  # the competences table's « Total »
    assert [(m.code, m.name, m.kind, m.semester_coefficient) for m in s1.modules] == [
        ("R1.01", "Initiation au développement", RESSOURCE, 4.5),
        ("R1.02", "Architecture des ordinateurs", RESSOURCE, 3.5),
        ("R1.03", "Anglais", RESSOURCE, 1.5),
        ("SAÉ 1.01", "Implémentation d'un besoin client", SAE, 6),
        ("SAÉ 1.02", "Installation d'un poste", SAE, 7),
        (None, "Portfolio", PORTFOLIO, None),
    ]
    assert [(c.module_code, c.printed) for c in s1.coefficients if c.competence == 1] == [
        ("R1.01", "4.5"),
        ("R1.03", "0.5"),
        ("SAÉ 1.01", "6"),
    ]
    # The module total printed 7 where its values make 7.5: a warning, the table partial.
    assert s1.status == "partial"
    assert [i.message for i in s1.issues] == [
        "page 1 : « Installation d'un poste » : total imprimé 7 ≠ somme des compétences 7,5"
    ]
    # S2: « Semestre 2 » inside the table, the SAÉ block going on over page 3.
    assert s2.status == "complete" and s2.issues == []
    assert [(c.module_name, c.line, c.printed) for c in s2.coefficients if c.competence == 2] == [
        ("Développement d'une application", 2, "2"),
        ("Exploration algorithmique", 3, "3.5"),
    ]
    assert [u.total for u in s2.ues] == [9, 5.5, 7]


def test_block_labels_merged_down_their_rows(tmp_path):
    path = tmp_path / "mcc_qlio.pdf"
    path.write_bytes(fx.merged_labels_pdf())
    (t,) = read_document(path).tables
    assert (t.formation, t.semester, t.status, t.issues) == ("QLIO", 3, "complete", [])
    assert [(m.name, m.kind) for m in t.modules] == [
        ("Anglais", RESSOURCE),
        ("Statistiques", RESSOURCE),
        ("Gestion de production", RESSOURCE),
        ("Projet qualité", SAE),
        ("Projet logistique", SAE),
        ("Portfolio", PORTFOLIO),
    ]
    assert values(t) == {
        ("Anglais", RESSOURCE, "C3.1"): "1",
        ("Anglais", RESSOURCE, "C3.2"): "1",
        ("Statistiques", RESSOURCE, "C3.1"): "2,5",
        ("Gestion de production", RESSOURCE, "C3.2"): "4",
        ("Projet qualité", SAE, "C3.1"): "5",
        ("Projet logistique", SAE, "C3.2"): "6,5",
    }
    assert [(u.code, u.ects, u.total) for u in t.ues] == [("C3.1", 10, 8.5), ("C3.2", 20, 11.5)]


def test_a_competence_without_printed_total_stays_unknown():
    from butdata.readers.xlsx_blocks import read_if_blocks

    rows = [
        ["Semestre 3"],
        ["Compétences", "Libellé", "ECTS"],
        ["C3.1", "Piloter", 10],
        ["C3.2", "Gérer", 10],
        ["C3.3", "Organiser", 10],  # listed, but in no block column
        [],
        ["Ressources", "Coefficients"],
        [None, "C3.1", "C3.2"],
        ["Anglais", 1, 2],
        ["Total Ressources", 1, 2],
        [],
        ["SAÉ", "Coefficients"],
        [None, "C3.1", "C3.2"],
        ["Projet", 3, None],
        ["Total SAÉ", 3, None],
        ["Total Ressources SAÉ semestre 3", 4, 2],
    ]
    sheet = [(i, cells, ["General"] * len(cells)) for i, cells in enumerate(rows, start=1)]
    doc = read_if_blocks("brouillon.xlsx", [("S3", sheet)])
    assert doc is not None
    (t,) = doc.tables
    assert [(u.code, u.ects, u.total) for u in t.ues] == [
        ("C3.1", 10, 4),
        ("C3.2", 10, 2),
        ("C3.3", 10, None),
    ]
    assert t.status == "partial"
    assert [i.message for i in t.issues if i.code == "missing_totals"] == [
        "« Total Ressources SAÉ semestre 3 » : total non imprimé pour C3.3"
    ]
    # A workbook without any block is another reader's (the module-rows draft).
    assert read_if_blocks("x.xlsx", [("S1", [(1, ["Semestre 1 BUT QLIO"], ["General"])])]) is None
