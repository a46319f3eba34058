"""The grid-layout reader on the real damaged document (004): values read by hand from the source.

Line numbers are 1-based; quoted lines show no-break spaces as '·'.
"""

from __future__ import annotations

import re

import pytest
from conftest import MULTI as DOC

from butdata.model import UE, Table
from butdata.readers import read_document, read_text_lines
from butdata.readers.text_grid.placement import unique_placement
from butdata.readers.text_grid.tables import complete_without_totals
from butdata.vocab import COMPLETE, EMPTY, PARTIAL

LINES = read_text_lines(DOC)  # numbered as the reader numbers them


@pytest.fixture(scope="module")
def doc():
    return read_document(DOC)


def table_at(doc, line):
    return next(t for t in doc.tables if t.line == line)


def ue(table, competence):
    return next(u for u in table.ues if u.competence == competence)


def values(table, competence):
    return [c for c in table.coefficients if c.competence == competence]


def printed(table, competence):
    return [c.printed for c in values(table, competence)]


# --- titles -----------------------------------------------------------------------------------


def test_every_title_is_a_table(doc):
    # `grep -c Semestre` gives 110 lines and every one of them is a title "B.U.T. ... Semestre N"
    # or "BUT Informatique Semestre N" (checked by hand: no other line says "Semestre").
    title_lines = [i for i, line in enumerate(LINES, 1) if "Semestre" in line]
    assert len(title_lines) == 110
    titled = [t for t in doc.tables if not t.identity_inferred]
    assert [t.line for t in titled] == title_lines
    assert all(
        t.formation
        in (
            "CS",
            "GACO",
            "GB",
            "GCCD",
            "GCGP",
            "GEA",
            "GEII",
            "GMP",
            "HSE",
            "INFO",
            "MLT",
            "MP",
            "QLIO",
            "SGM",
            "TC",
        )
        for t in titled
    )
    assert len({t.formation for t in titled}) == 15
    assert {t.site for t in titled} == {None, "Agen", "Polynésie", "Bordeaux", "Périgueux"}
    assert len({t.table_id for t in doc.tables}) == len(doc.tables)
    assert doc.layout == "grid" and all(t.layout == "grid" and not t.alternance for t in doc.tables)


def test_title_identities(doc):
    # line 6323: 'B.U.T.·Techniques·de·commercialisation·"Pass'BUT"·(Bordeaux) Semestre·3'
    t = table_at(doc, 6323)
    assert (t.formation, t.site, t.semester, t.parcours) == ("TC", "Bordeaux", 3, "Pass'BUT")
    assert t.formation_name == "Techniques de commercialisation"
    # line 506: ' B.U.T.·Gestion·administrative·...·(Polynésie) Semestre·1' (leading space)
    t = table_at(doc, 506)
    assert (t.formation, t.site, t.semester, t.parcours) == ("GACO", "Polynésie", 1, None)
    assert t.title.startswith("B.U.T. Gestion administrative")
    # line 6762: 'B.U.T.·Techniques·de·commercialisation·(Polynésie) Semestre·3
    #             Parcours·Business·international·:·achat·et·vente'
    t = table_at(doc, 6762)
    assert (t.formation, t.site, t.semester, t.parcours) == (
        "TC",
        "Polynésie",
        3,
        "Business international : achat et vente",
    )
    # line 912: 'B.U.T.·Génie·chimique,·Génie·des·procédés·‐·Semestre·2' (hyphen U+2010)
    t = table_at(doc, 912)
    assert (t.formation, t.formation_name, t.site, t.semester, t.parcours) == (
        "GCGP",
        "Génie chimique, Génie des procédés",
        None,
        2,
        None,
    )
    # line 3325: 'BUT Informatique Semestre 3 Parcours Réalisation d’applications : ...'
    t = table_at(doc, 3325)
    assert t.formation == "INFO" and t.parcours.startswith("Réalisation d'applications")


# --- statuses ---------------------------------------------------------------------------------


def test_statuses_of_damaged_tables(doc):
    # lines 502-503: two titles in a row, no row between them -> empty
    assert table_at(doc, 502).status == EMPTY and table_at(doc, 503).status == EMPTY
    # GACO Agen S4 (line 337): one row survives (line 347), final line 364 ' 500 30 · 45'
    t = table_at(doc, 337)
    assert t.status == PARTIAL and [u.competence for u in t.ues] == [2]
    assert (t.declared_total, t.declared_ects, t.declared_aop) == (500, 30, 45)
    assert any(i.code == "totals_mismatch" and i.line == 364 for i in t.issues)
    # CS S1 (line 2): five rows, final line 70 '28,75 30 · 2,75' equals their sums
    t = table_at(doc, 2)
    assert t.status == COMPLETE and len(t.ues) == 5 and t.totals_line == 70
    # GB S1 Agronomie (line 565) has no final line: UE 1-4 present, 11+11+4+4 = 30 ECTS
    t = table_at(doc, 565)
    assert t.status == COMPLETE and t.totals_line is None
    # GCGP S4 CQESP (line 1239): only shattered headers survive
    assert table_at(doc, 1239).status == EMPTY
    counts = {s: sum(t.status == s for t in doc.tables) for s in (COMPLETE, PARTIAL, EMPTY)}
    assert counts == {COMPLETE: 71, PARTIAL: 15, EMPTY: 28}


def test_bodies_under_another_title_get_their_own_table(doc):
    inferred = {t.line: t for t in doc.tables if t.identity_inferred}
    assert sorted(inferred) == [789, 877, 3595, 6824]
    # lines 3583-3595: MLT S4 title, then ' 1 Mener une ' ... UE '1.' labels (line 3599) and
    # competences of Mesures physiques: semester 1 from the UE codes, MP from the texts.
    t = inferred[3595]
    assert (t.formation, t.semester, t.site, t.parcours) == ("MP", 1, None, None)
    assert t.status == COMPLETE and len(t.ues) == 5  # final line 3675 '333 30 · 33'
    assert any(i.code == "identity_inferred" and "ligne 3583" in i.message for i in t.issues)
    # line 6815 '29,94 30 ·' ends TC Polynésie S3; the rows after it carry UE '4.' labels
    t = inferred[6824]
    assert (t.formation, t.site, t.semester) == ("TC", "Polynésie", 4)
    # line 766 GB S2 title, then UE '3.' + '2' and travaux publics texts (line 777-789): GCCD S3
    t = inferred[789]
    assert (t.formation, t.semester) == ("GCCD", 3) and t.status == PARTIAL
    # line 865-906: GCGP S1 body after the final line 860 of GCCD S3 Réhabilitation
    t = inferred[877]
    assert (t.formation, t.semester) == ("GCGP", 1) and t.status == COMPLETE
    # the titles they were printed under keep their own (empty) content
    assert table_at(doc, 3583).status == EMPTY and table_at(doc, 766).status == EMPTY


# --- UE rows ----------------------------------------------------------------------------------


def test_row_layout_a(doc):
    # lines 6-16: ' 1.' / '1 Conception·d'interventions·' / 'adaptées·aux·enjeux·de·la·société'
    #   / level 'Mettre·en·place·des·outils·' ... 'résultats'
    # line 16: "1,5 0,5 1 1,5 1,25 5,75 6 0,35·· 0,5"
    t = table_at(doc, 2)
    u = ue(t, 1)
    assert (u.code, u.line, u.total_line, u.ects_line) == ("UE 1.1", 7, 16, 16)
    assert u.name == "Conception d'interventions adaptées aux enjeux de la société"
    assert u.level == (
        "Mettre en place des outils d'enquêtes adaptés aux publics et aux "
        "contextes et présenter les résultats"
    )
    assert (u.total, u.ects, u.sae_share, u.aop_total) == (5.75, 6, 0.35, 0.5)
    assert (u.row_layout, u.sum_ok, u.ratio_ok, u.sae_share_printed) == ("A", True, True, True)
    assert printed(t, 1) == ["1,5", "0,5", "1", "1,5", "1,25"]
    assert [c.position for c in values(t, 1)] == [1, 2, 3, 4, 5]
    # 1,5 + 0,5 = 2 = 0,35 x 5,75 (2,01): the only leading run that fits -> two SAÉ values
    assert [c.kind for c in values(t, 1)] == ["sae", "sae", None, None, None]


def test_row_layout_b(doc):
    # lines 6334-6341 (TC Pass'BUT S3): '3.' / '2' / 'Vendre·une·offre·commerciale' ...
    # line 6341: "3 1,5 0,5 0,5 1,5 2 0,5 0,5 0,5 0,5 0,5 11,5 11,5 0,43··" (no AOP column)
    t = table_at(doc, 6323)
    u = ue(t, 2)
    assert (u.row_layout, u.total, u.ects, u.sae_share, u.aop_total) == (
        "B",
        11.5,
        11.5,
        0.43,
        None,
    )
    assert printed(t, 2) == [
        "3",
        "1,5",
        "0,5",
        "0,5",
        "1,5",
        "2",
        "0,5",
        "0,5",
        "0,5",
        "0,5",
        "0,5",
    ]
    # 3 + 1,5 + 0,5 = 5 -> 5 / 11,5 = 0,435 rounds to 0,43; 4,5 (0,39) and 5,5 (0,48) do not
    assert [c.kind for c in values(t, 2)][:4] == ["sae", "sae", "sae", None]
    # TC Polynésie S1 line 6699: 2-decimal cells, TOTAL 11,02 is the rounded sum
    t = table_at(doc, 6691)
    assert ue(t, 1).row_layout == "B" and ue(t, 1).total == 11.02 and ue(t, 1).sum_ok


def test_row_layout_c(doc):
    # lines 624-631 (GB S1 Diététique): '1.' / '2 Experimenter·dans·le·génie·' ...
    # line 631: "37 14 14 13 5 4 2 5 5 3 110 11 0,41·· 8": sum 102 + AOP 8 = 110
    t = table_at(doc, 614)
    u = ue(t, 2)
    assert (u.row_layout, u.total, u.ects, u.sae_share, u.aop_total, u.sum_ok) == (
        "C",
        110,
        11,
        0.41,
        8,
        True,
    )
    assert printed(t, 2) == ["37", "14", "14", "13", "5", "4", "2", "5", "5", "3"]
    assert "8" not in printed(t, 2)[-1:]  # the AOP cell is not printed: not stored
    # (37 + AOP 8) / 110 = 0,409: only the first value is SAÉ
    assert [c.kind for c in values(t, 2)][:2] == ["sae", None]


def test_row_percentages_and_ambiguous_sae_split(doc):
    # line 3173 (Informatique S1, UE 1.1): "34 6 38 12 6 4 100 5 0,4 10" (percentages)
    t = table_at(doc, 3165)
    assert printed(t, 1) == ["34", "6", "38", "12", "6", "4"] and ue(t, 1).total == 100
    # 34 -> 0,34 and 40 -> 0,40 both round to "0,4"? 0,34 does not, 0,40 does, 0,78 does not:
    assert [c.kind for c in values(t, 1)] == ["sae", "sae", None, None, None, None]
    # line 296 (GACO Agen S3, UE 3.2): "20 11 3 3 3 3 7 5 20 20 5 100 5 0,4 9": runs of
    # 37, 40 and 43 all round to 0,4 -> the split is ambiguous, no kind at all
    t = table_at(doc, 285)
    assert ue(t, 2).ratio_ok is True
    assert all(c.kind is None for c in values(t, 2))


def test_aop_zero_rows_record_the_ambiguity(doc):
    # line 5256 (TC Bordeaux S1, UE 1.1): "... 15 10 0,40·· 0": AOP 0 -> A and C coincide
    t = table_at(doc, 4680)
    u = ue(t, 1)
    assert u.row_layout is None and u.sum_ok is True and u.aop_total == 0
    assert any(i.code == "layout_ambiguous" and i.line == 5256 for i in t.issues)


def test_lost_labels(doc):
    # line 286: ' Collaborer·à·la·gestion·de·projet 20 11 ... 100 4 0,4 9' right after the title,
    # the next label is ' 2 Participer...' (line 290): the row can only be competence 1
    t = table_at(doc, 285)
    assert ue(t, 1).total_line == 286 and ue(t, 1).name is None
    assert any(i.code == "competence_inferred" and i.line == 286 for i in t.issues)
    # GCCD S4 Travaux bâtiment, line 833: "3 2 2 1 1 1 1 4 2 3 20 6 0,4 0" under a lost label
    # whose texts occur nowhere else: not stored, quoted in a warning
    t = table_at(doc, 811)
    assert all(u.total_line != 833 for u in t.ues)
    assert any(
        i.code == "competence_unknown"
        and i.line == 833
        and "3 2 2 1 1 1 1 4 2 3 20 6 0,4 0" in i.message
        for i in t.issues
    )
    # line 1762: ' Mettre·en·œuvre·des·politiques·RH 50 10 ...' starts a new fragment: the label
    # above it ('2' / 'Aider à la prise de décision', lines 1758-1761) lost its own values
    t = table_at(doc, 1750)
    assert all(u.total_line != 1762 or u.competence != 2 for u in t.ues)


def test_final_line_and_stray_value(doc):
    # line 5959: "5 72,5 30 · 9": the leading "5" is not a total (page number?)
    t = table_at(doc, 5322)
    assert (t.declared_total, t.declared_ects, t.declared_aop, t.totals_line) == (72.5, 30, 9, 5959)
    assert any(i.code == "stray_value" and i.line == 5959 for i in t.issues)


# --- columns and modules ----------------------------------------------------------------------


def test_perigueux_s1_column_positions(doc):
    # line 6409: "4,5 1,5 2,5 · · 0,5 1 0,5 0,5 0,5 1 · 0,5 0,5 0,5 0,5 0,5 15 11 0,40·· 1,5"
    # (lone no-break spaces are empty cells: 17 columns)
    t = table_at(doc, 6404)
    assert [c.column for c in values(t, 1)] == [1, 2, 3, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17]
    # line 6431: "4 1 · · 2 0,5 · 1 · · · 0,5 1 1 0,5 0,5 0,5 12,5 8 0,40·· 1"
    assert [c.column for c in values(t, 3)] == [1, 2, 5, 6, 8, 12, 13, 14, 15, 16, 17]
    # line 6420: "4,5 1,5 · 3 · · · · 1,5 0,5 · 0,5 1 1 0,5 14 11 ...": 15 cells, two empty
    # cells vanished -> columns unknown
    assert all(c.column is None for c in values(t, 2))
    assert all(c.module_code is None for c in t.coefficients)


def test_module_headers_are_joined(doc):
    # lines 4683-4726: 'É·' / '1.' / '01' / '·‐·' / 'M' / 'ar' / 'ke' ... joined:
    # "SAÉ 1.01 - Marketing : positionnement d'une offre simple sur un marché"
    t = table_at(doc, 4680)
    codes = [m.code for m in t.modules]
    assert codes[:5] == ["SAÉ 1.01", "SAÉ 1.02", "SAÉ 1.03", "AOP MITD", "R1.01"]
    assert t.modules[0].name == "Marketing : positionnement d'une offre simple sur un marché"
    assert [m.kind for m in t.modules[:5]] == ["sae", "sae", "sae", "autre", "ressource"]
    # rows have fewer values than columns (empty cells dropped): no value gets a module
    assert all(c.module_code is None for c in t.coefficients)
    codes = [m.code for m in table_at(doc, 1239).modules]
    assert codes[:6] == [
        "SAÉ 4.01",
        "SAÉ 3.CQESP.02",
        "SAE4.STAGE",
        "SAE.AOP",
        "Portfolio",
        "R4.01",
    ]


def test_informatique_column_totals_do_not_place_uniquely(doc):
    # line 3240: "34 34 34 34 34 34 36 58 ... 24 600 30 60": several placements fit
    t = table_at(doc, 3165)
    assert all(c.column is None and c.module_code is None for c in t.coefficients)
    assert any(i.code == "columns_not_unique" and i.line == 3240 for i in t.issues)


def test_unique_placement_search():
    # two rows, three columns: [1, 2] and [3] with column totals 1, 3, 2 -> unique
    assert unique_placement([1, 3, 2], [[1, 2], [3]]) == [[1, 3], [2]]
    # totals 1, 1 and rows [1], [1]: each row may take either column -> not unique
    assert unique_placement([1, 1], [[1], [1]]) is None


# --- honesty ----------------------------------------------------------------------------------


def _tokens(line: str) -> list[str]:
    return [t.strip("\u00a0") for t in line.split(" ")]


def test_every_stored_value_is_printed_on_its_line(doc):
    for t in doc.tables:
        for c in t.coefficients:
            assert c.printed in _tokens(LINES[c.line - 1]), (t.table_id, c.line, c.printed)
            assert c.coefficient == float(c.printed.replace(",", "."))
        for u in t.ues:
            row = _tokens(LINES[u.total_line - 1])
            assert any(
                re.fullmatch(r"\d+(,\d+)?", x) and float(x.replace(",", ".")) == u.total
                for x in row
            )


def test_kinds_only_where_certain(doc):
    for t in doc.tables:
        for u in t.ues:
            kinds = [c.kind for c in values(t, u.competence)]
            if any(kinds):
                assert u.sum_ok and u.ratio_ok
                run = kinds.index(None) if None in kinds else len(kinds)
                assert set(kinds[:run]) == {"sae"} and not any(kinds[run:])


def test_recovered_counts(doc):
    assert len(doc.tables) == 114
    assert sum(len(t.ues) for t in doc.tables) == 350
    assert sum(len(t.coefficients) for t in doc.tables) == 3495


def test_completeness_without_totals_needs_every_ects():
    # No final line, UE 1 and 2 present with their sums holding, but UE 1.1 prints no ECTS (a
    # blank ECTS cell of a PDF grid): the 30 ECTS of the semester cannot be checked.
    table = Table("x.pdf", 1, "B.U.T. TC Semestre 1", "TC", None, None, 1, None, False, "grid")
    table.ues = [
        UE("UE 1.1", 1, None, 2, ects=None, total=10.0, sum_ok=True),
        UE("UE 1.2", 2, None, 3, ects=30.0, total=5.0, sum_ok=True),
    ]
    assert complete_without_totals(table) is False
    assert [(i.code, i.message) for i in table.issues] == [
        ("totals_missing", "ligne de totaux absente : complétude non vérifiable")
    ]
