"""The clean QLIO document (000): every expected value below is read from the document itself.

Each test quotes the source line(s) it checks; `source_line` re-reads them so a quote that
drifts from the document fails loudly.
"""

from __future__ import annotations

import pytest
from conftest import QLIO, source_line

from butdata.readers import read_document
from butdata.readers.text_modules import parse


@pytest.fixture(scope="module")
def doc():
    return read_document(QLIO)


def table(doc, table_id):
    return next(t for t in doc.tables if t.table_id == table_id)


def module(t, code):
    return next(m for m in t.modules if m.code == code)


def test_eighteen_tables_with_their_titles(doc):
    # S1, S2 tronc commun; S3, S4 in 5 variants; S5, S6 in 3 variants (source-formats.md,
    # and `grep -c "^ Semestre" 000_…txt` = 18).
    assert len(doc.tables) == 18
    assert source_line(QLIO, 8) == " Semestre 1 BUT QLIO"
    assert source_line(QLIO, 138) == " Semestre 3 BUT QLIO par alternance QMI"
    s1, s3 = table(doc, "000-qlio-s1"), table(doc, "000-qlio-s3-alt-qmi")
    assert (s1.line, s1.semester, s1.parcours, s1.alternance, s1.year) == (
        8,
        1,
        None,
        False,
        "2025-2026",
    )
    assert (s3.line, s3.semester, s3.parcours, s3.alternance) == (138, 3, "QMI", True)
    assert table(doc, "000-qlio-s3-osc").parcours == "OSC"  # line 278: " Semestre 3 BUT QLIO OSC"
    counts = {}
    for t in doc.tables:
        counts[t.semester] = counts.get(t.semester, 0) + 1
    assert counts == {1: 1, 2: 1, 3: 5, 4: 5, 5: 3, 6: 3}
    assert all(t.formation == "QLIO" and t.status == "complete" for t in doc.tables)


def test_321_module_lines(doc):
    # source-formats.md: "321 module lines" (checked with a count of the module lines per table).
    assert sum(len(t.modules) for t in doc.tables) == 321


def test_ue_list_of_s3(doc):
    # lines 141-144: "UE31 - Piloter l'entreprise par la qualité" … "UE34 - Mettre en oeuvre …"
    t = table(doc, "000-qlio-s3-alt-qmi")
    assert [u.code for u in t.ues] == ["UE31", "UE32", "UE33", "UE34"]
    assert [u.competence for u in t.ues] == [1, 2, 3, 4]
    assert t.ues[0].name == "Piloter l'entreprise par la qualité"
    assert t.ues[0].line == 141


def test_module_line_values(doc):
    assert source_line(QLIO, 31) == "R1.01 Anglais 1.5 0.50 0.50 0.50"
    t = table(doc, "000-qlio-s1")
    r101 = module(t, "R1.01")
    assert (r101.name, r101.semester_coefficient, r101.kind, r101.line, r101.position) == (
        "Anglais",
        1.5,
        "ressource",
        31,
        1,
    )
    coefs = [
        (c.competence, c.coefficient, c.printed, c.line)
        for c in t.coefficients
        if c.module_code == "R1.01"
    ]
    assert coefs == [(1, 0.5, "0.50", 31), (2, 0.5, "0.50", 31), (3, 0.5, "0.50", 31)]


def test_zero_coefficients_are_not_stored_but_module_is_listed(doc):
    # line 178: "R3.07 Outils statistiques de pilotage d’un process 1.5 1.50 0.00 0.00 0.00"
    assert source_line(QLIO, 178).endswith("1.5 1.50 0.00 0.00 0.00")
    t = table(doc, "000-qlio-s3-alt-qmi")
    assert [(c.competence, c.coefficient) for c in t.coefficients if c.module_code == "R3.07"] == [
        (1, 1.5)
    ]
    # line 194: "SAE3.Portfolio Portfolio S3 0 0.00 0.00 0.00 0.00": listed, no coefficient
    pf = module(t, "SAE3.Portfolio")
    assert (pf.kind, pf.semester_coefficient) == ("portfolio", 0.0)
    assert not [c for c in t.coefficients if c.module_code == "SAE3.Portfolio"]


def test_name_ending_with_a_number(doc):
    # line 515: "H.IA L'IA au coeur de l'industrie 4.0 1 0.25 0.25 0.25 0.25"
    assert source_line(QLIO, 515) == "H.IA L'IA au coeur de l'industrie 4.0 1 0.25 0.25 0.25 0.25"
    t = table(doc, "000-qlio-s4-alt-qmi")
    hia = module(t, "H.IA")
    assert (hia.name, hia.semester_coefficient, hia.kind) == (
        "L'IA au coeur de l'industrie 4.0",
        1.0,
        "autre",
    )
    assert [c.coefficient for c in t.coefficients if c.module_code == "H.IA"] == [0.25] * 4


def test_kinds(doc):
    t = table(doc, "000-qlio-s4-alt-qmi")
    # line 541: "SAE4.ST Stage 8 2.00 2.00 2.00 2.00"; line 539: "SAE4.PF Portfolio S4 1 0.25 …"
    assert source_line(QLIO, 541) == "SAE4.ST Stage 8 2.00 2.00 2.00 2.00"
    assert module(t, "SAE4.ST").kind == "stage"
    assert module(t, "SAE4.PF").kind == "portfolio"
    assert module(t, "HP").kind == "autre"  # line 517: "HP Heures projet 0 0.00 0.00 0.00 0.00"
    # line 125: "SAE2.01 SAÉ: Projet opérationnel 5.1 1.70 1.70 1.70"
    assert module(table(doc, "000-qlio-s2"), "SAE2.01").kind == "sae"


def test_totals_and_ects(doc):
    # lines 205/207: "Total des coefficients 30 8 8 8 6" / "Crédits ECTS 30 8 8 8 6"
    assert source_line(QLIO, 205) == "Total des coefficients 30 8 8 8 6"
    assert source_line(QLIO, 207) == "Crédits ECTS 30 8 8 8 6"
    t = table(doc, "000-qlio-s3-alt-qmi")
    assert [(u.total, u.ects, u.total_line, u.ects_line) for u in t.ues] == [
        (8, 8, 205, 207),
        (8, 8, 205, 207),
        (8, 8, 205, 207),
        (6, 6, 205, 207),
    ]
    assert (t.declared_total, t.declared_ects) == (30, 30)
    assert all(u.sum_ok for u in t.ues)


def test_sae_share_by_hand(doc):
    # QLIO S1, UE11 (lines 31-69): SAÉ codes with a UE11 coefficient are SAE1.01 (2.00) and
    # SAE1.02 (2.00); SAE1.PF is 0. Total UE11 = 10 (line 71) -> share = 4 / 10 = 0.4.
    ue11 = table(doc, "000-qlio-s1").ues[0]
    assert ue11.sae_share == pytest.approx(0.4)


def test_every_stored_value_is_printed_on_its_line(doc):
    lines = QLIO.read_text(encoding="utf-8").splitlines()
    for t in doc.tables:
        for c in t.coefficients:
            assert c.printed in lines[c.line - 1].split(" "), (c, lines[c.line - 1])
            assert float(c.printed) == c.coefficient


def test_column_sums_equal_printed_totals(doc):
    # The document's own check (source-formats.md: "in all 18 tables the column sums of the
    # module lines equal the printed totals"): no mismatch warning is raised.
    codes = {i.code for t in doc.tables for i in t.issues}
    assert "total_mismatch" not in codes and "module_sum_mismatch" not in codes


def test_oddities_are_warnings_and_codes_are_kept(doc):
    # lines 194 and 264 print "SAE3.Portfolio", lines 334, 404, 474 print "SAE3.PF"
    assert source_line(QLIO, 194).startswith("SAE3.Portfolio ")
    assert source_line(QLIO, 264).startswith("SAE3.Portfolio ")
    assert source_line(QLIO, 334).startswith("SAE3.PF ")
    variant_lines = sorted(i.line for t in doc.tables for i in t.issues if i.code == "code_variant")
    assert variant_lines == [194, 264, 334, 404, 474]
    # lines 899 and 1112: SAE5.01 and SAE6.01 carry the same title
    assert source_line(QLIO, 899).startswith(
        "SAE5.01 Sélection des outils QLIO en tant que cadre intermédiaire"
    )
    assert source_line(QLIO, 1112).startswith(
        "SAE6.01 Sélection des outils QLIO en tant que cadre intermédiaire"
    )
    dup = {i.line for t in doc.tables for i in t.issues if i.code == "duplicate_title"}
    assert {899, 1112} <= dup
    assert module(table(doc, "000-qlio-s3-alt-qmi"), "SAE3.Portfolio")  # kept as printed


def test_malformed_module_line_is_reported_with_its_line():
    lines = QLIO.read_text(encoding="utf-8").splitlines()
    lines[30] = "R1.01 Anglais 1.5 0.50"  # two numbers missing
    doc = parse("broken.txt", lines)
    t = doc.tables[0]
    assert t.status == "partial"
    assert any(i.line == 31 and i.code == "bad_module_line" for i in t.issues)


def test_ids_are_stable_across_parses(doc):
    again = read_document(QLIO)
    assert [t.table_id for t in again.tables] == [t.table_id for t in doc.tables]
    assert len({t.table_id for t in doc.tables}) == 18
