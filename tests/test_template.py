"""The tidy template: headers, cells, hand-made drafts, row-level French errors, XLSX drafts."""

from __future__ import annotations

from pathlib import Path

import pytest

from butdata.errors import SourceError
from butdata.readers import read_document
from butdata.readers.spreadsheet import load
from butdata.tidy.cells import parse_float
from butdata.tidy.columns import COLUMNS, TemplateError, map_headers

DRAFT = """formation,semestre,UE,Code module,Intitulé du module,Coefficient,ECTS,Total UE
GEA,1,UE11,R1.01,Gestion,2,10,5
GEA,1,UE11,SAE1.01,Projet,3,10,5
GEA,1,UE12,R1.01,Gestion,1.5,10,4.5
GEA,1,UE12,SAE1.01,Projet,3,10,4.5
GEA,1,UE12,R1.02,Droit,0,10,4.5
"""


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def errors_of(path: Path, **kw) -> list[tuple[int, str | None, str]]:
    with pytest.raises(TemplateError) as info:
        load(path, **kw)
    return [(e.row, e.column, e.message) for e in info.value.errors]


def test_every_column_has_a_machine_name_and_a_french_label():
    names = [c.name for c in COLUMNS]
    assert len(set(names)) == len(names)
    assert names[:18] == [
        "table_id",
        "source",
        "formation",
        "formation_name",
        "site",
        "semester",
        "parcours",
        "alternance",
        "ue",
        "competence",
        "ects",
        "ue_total",
        "module_code",
        "module_name",
        "kind",
        "position",
        "coefficient",
        "source_line",
    ]
    assert all(c.label for c in COLUMNS)


def test_headers_accept_machine_names_labels_and_spelling_variants():
    mapping, errors = map_headers(
        ["FORMATION", "Semestre", " ue ", "module_code", "coefficient", "Commentaire"]
    )
    assert errors == [] and set(mapping.values()) == {
        "formation",
        "semester",
        "ue",
        "module_code",
        "coefficient",
    }
    _, errors = map_headers(["formation", "semester", "ue", "coefficient", "Coefficient"])
    assert [e.message for e in errors] == [
        "colonne en double",
        "colonne obligatoire manquante : « Code module » (module_code) ou « Intitulé du module »",
    ]


@pytest.mark.parametrize(
    "text,value",
    [
        ("1,5", 1.5),
        ("1.50", 1.5),
        (" 2 ", 2.0),
        ("0,25", 0.25),
        (3, 3.0),
        (0.1, 0.1),
        ("1\u00a0000,5", 1000.5),
    ],
)
def test_numbers_as_typed_in_french_or_english(text, value):
    assert parse_float(text) == value


@pytest.mark.parametrize("text", ["deux", "1,2,3", "", True, "1.5.2"])
def test_text_is_not_a_number(text):
    with pytest.raises(ValueError):
        parse_float(text)


def test_a_hand_made_draft_becomes_a_document(tmp_path):
    doc = read_document(write(tmp_path, "mcc_gea.csv", DRAFT))
    assert doc.layout == "template" and len(doc.tables) == 1
    t = doc.tables[0]
    assert (t.table_id, t.source, t.formation, t.formation_name, t.semester, t.layout) == (
        "mcc-gea-gea-s1",
        "mcc_gea.csv",
        "GEA",
        "Gestion des entreprises et des administrations",
        1,
        "template",
    )
    assert [(u.code, u.competence, u.ects, u.total, u.line) for u in t.ues] == [
        ("UE11", 1, 10.0, 5.0, 2),
        ("UE12", 2, 10.0, 4.5, 4),
    ]
    # Modules numbered by first appearance; R1.02 has only a zero: listed, no coefficient.
    assert [(m.code, m.kind, m.position, m.line) for m in t.modules] == [
        ("R1.01", "ressource", 1, 2),
        ("SAE1.01", "sae", 2, 3),
        ("R1.02", "ressource", 3, 6),
    ]
    assert [
        (c.competence, c.module_code, c.position, c.coefficient, c.printed, c.line)
        for c in t.coefficients
    ] == [
        (1, "R1.01", 1, 2.0, "2", 2),
        (1, "SAE1.01", 2, 3.0, "3", 3),
        (2, "R1.01", 1, 1.5, "1.5", 4),
        (2, "SAE1.01", 2, 3.0, "3", 5),
    ]
    assert [u.sum_ok for u in t.ues] == [True, True]
    assert [round(u.sae_share, 4) for u in t.ues] == [0.6, round(3 / 4.5, 4)]
    assert t.status == "complete"


def test_semicolons_and_windows_encoding_as_saved_by_excel(tmp_path):
    text = DRAFT.replace(",", ";").replace("1.5", "1,5").replace("Gestion", "Gestion Comptabilité")
    doc = read_document(write(tmp_path, "excel.csv", text, "cp1252"))
    t = doc.tables[0]
    assert t.modules[0].name == "Gestion Comptabilité"
    assert [c.printed for c in t.coefficients][2] == "1,5"


def test_a_total_that_does_not_add_up_is_a_warning_not_a_fix(tmp_path):
    doc = read_document(write(tmp_path, "d.csv", DRAFT.replace(",10,5\n", ",10,6\n")))
    t = doc.tables[0]
    assert t.ues[0].sum_ok is False and t.status == "partial"
    assert [i.code for i in t.issues] == ["total_mismatch"]


def test_each_error_is_reported_with_its_row(tmp_path):
    bad = (
        "formation,semestre,UE,Coefficient\n"  # no module column
        "QLIO,1,UE11,2\n"
        "QLIO,1,UE11,deux\n"  # text in a number cell
        "QLIO,1,UE41,1\n"  # UE of another semester
        "QLIO,1,UE12,-1\n"
    )  # negative coefficient
    assert errors_of(write(tmp_path, "bad.csv", bad)) == [
        (
            1,
            None,
            "colonne obligatoire manquante : « Code module » (module_code) ou « Intitulé "
            "du module »",
        ),
        (3, "coefficient", "« deux » n'est pas un nombre"),
        (
            4,
            "ue",
            "UE inconnue « UE41 » au semestre 1 (les UE du semestre 1 s'écrivent UE11, UE12…)",
        ),
        (5, "coefficient", "coefficient négatif (-1)"),
    ]


def test_unknown_ue_against_the_store_and_missing_required_columns(tmp_path):
    text = "formation,semestre,UE,module_code,coefficient\nQLIO,1,UE17,R1.01,1\nQLIO,1,UE 1.1,R1.01,1\n"
    known = {("QLIO", 1): {"UE11", "UE12", "UE13"}}
    assert errors_of(write(tmp_path, "u.csv", text), known_ues=known) == [
        (2, "ue", "UE inconnue « UE17 » pour QLIO S1 (UE de la base : UE11, UE12, UE13)")
    ]
    no_coef = "formation,semestre,UE,module_code\nQLIO,1,UE11,R1.01\n"
    assert errors_of(write(tmp_path, "n.csv", no_coef)) == [
        (1, None, "colonne obligatoire manquante : « Coefficient » (coefficient)")
    ]


def test_more_row_errors(tmp_path):
    text = (
        "formation,semestre,UE,module_code,coefficient,kind,alternance\n"
        "XYZ,1,UE11,R1.01,1,,\n"
        "QLIO,9,UE11,R1.01,1,,\n"
        "QLIO,1,Compétence 1,R1.01,1,,\n"
        "QLIO,1,UE11,R1.01,1,cours,peut-être\n"
        "QLIO,1,,R1.02,1,,\n"
    )
    got = errors_of(write(tmp_path, "m.csv", text))
    # A formation outside the 24 specialities is no error (row 2): it is kept with a warning.
    assert [(r, c) for r, c, _ in got] == [
        (3, "semester"),
        (4, "ue"),
        (5, "alternance"),
        (5, "kind"),
        (6, "ue"),
    ]


def test_the_store_build_names_the_file_and_row(tmp_path):
    path = write(
        tmp_path,
        "bad.csv",
        "formation,semestre,UE,module_code,coefficient\nQLIO,1,UE11,R1.01,abc\n",
    )
    with pytest.raises(SourceError) as info:
        read_document(path)
    assert (
        str(info.value)
        == "bad.csv:2: ligne 2, colonne « Coefficient » : « abc » n'est pas un nombre"
    )


def _draft_workbook(path: Path, con, table_id: str, sheet: str = "S1") -> None:
    """An MCC draft as a department types it: title, UE list, module rows, totals."""
    import openpyxl

    t = con.execute(
        "SELECT title, year, declared_total, declared_ects FROM tables WHERE table_id = ?",
        [table_id],
    ).fetchall()[0]
    ues = con.execute(
        "SELECT ue, name, total, ects FROM ues WHERE table_id = ? ORDER BY ord", [table_id]
    ).fetchall()
    modules = con.execute(
        "SELECT module_code, module_name, semester_coefficient, position "
        "FROM modules WHERE table_id = ? ORDER BY position",
        [table_id],
    ).fetchall()
    coef = {
        (r[0], r[1]): r[2]
        for r in con.execute(
            "SELECT position, ue, coefficient FROM coefficients WHERE table_id = ?", [table_id]
        ).fetchall()
    }
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    ws.append([t[0]])
    ws.append([t[1]])
    for code, name, _, _ in ues:
        ws.append([f"{code} - {name}"])
    ws.append(["Code", "Module", "Coeff semestre", *[u[0] for u in ues]])
    ws.append(["Modules du Tronc Commun"])
    for code, name, sem, pos in modules:
        ws.append([code, name, sem, *[coef.get((pos, u[0]), 0) for u in ues]])
        for cell in ws[ws.max_row][3:]:
            cell.number_format = "0.00"
    ws.append(["Total des coefficients", None, t[2], *[u[2] for u in ues]])
    ws.append(["Crédits ECTS", None, t[3], *[u[3] for u in ues]])
    book.save(path)


def test_an_xlsx_draft_in_the_qlio_layout_reads_like_the_text_document(tmp_path, con):
    path = tmp_path / "brouillon_qlio.xlsx"
    _draft_workbook(path, con, "000-qlio-s2")
    doc = read_document(path)
    assert doc.layout == "modules-xlsx" and len(doc.tables) == 1
    t = doc.tables[0]
    assert (t.formation, t.semester, t.parcours, t.year, t.status, t.table_id) == (
        "QLIO",
        2,
        None,
        "2025-2026",
        "complete",
        "brouillon-qlio-qlio-s2",
    )
    original = con.execute(
        "SELECT competence, module_code, position, coefficient FROM coefficients "
        "WHERE table_id = '000-qlio-s2' ORDER BY ALL"
    ).fetchall()
    assert (
        sorted((c.competence, c.module_code, c.position, c.coefficient) for c in t.coefficients)
        == original
    )
    assert "SAE2.01" in {c.module_code for c in t.coefficients} and {
        c.printed for c in t.coefficients if c.module_code == "SAE2.01"
    } == {"1.70"}
    original_ues = con.execute(
        "SELECT ue, competence, name, total, ects, sae_share FROM ues "
        "WHERE table_id = '000-qlio-s2' ORDER BY ord"
    ).fetchall()
    assert [
        (u.code, u.competence, u.name, u.total, u.ects, u.sae_share) for u in t.ues
    ] == original_ues
    n_modules = con.execute(
        "SELECT count(*) FROM modules WHERE table_id = '000-qlio-s2'"
    ).fetchall()
    assert len(t.modules) == n_modules[0][0]
    assert {m.section for m in t.modules} == {"tronc commun"}


def test_a_workbook_that_is_neither_template_nor_draft_is_refused(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["bonjour"])
    book.save(tmp_path / "x.xlsx")
    with pytest.raises(SourceError, match="ni modèle"):
        read_document(tmp_path / "x.xlsx")
    (tmp_path / "y.xlsx").write_bytes(b"not a zip")
    with pytest.raises(SourceError, match="classeur XLSX illisible"):
        read_document(tmp_path / "y.xlsx")


def test_absurd_numbers_are_refused_at_the_door(tmp_path):
    # a template with 1e308 or 99999999999999999999999 imported, then crashed the Simulation
    # page (OverflowError); a coefficient is at most 100 (percentage grids reach 100 for a UE),
    # the ECTS of a UE lie in 0-30, infinity is not a number
    bad = (
        "formation,semestre,UE,Code module,Coefficient,ECTS\n"
        "QLIO,1,UE11,R1.01,2,10\n"
        "QLIO,1,UE11,R1.02,1e308,10\n"
        "QLIO,1,UE12,R1.01,99999999999999999999999,10\n"
        "QLIO,1,UE12,R1.03,100.5,10\n"
        "QLIO,1,UE13,R1.01,1e309,10\n"
        "QLIO,1,UE13,R1.04,1,31\n"
    )
    assert errors_of(write(tmp_path, "absurde.csv", bad)) == [
        (3, "coefficient", "coefficient hors limites (1e+308 > 100)"),
        (4, "coefficient", "coefficient hors limites (1e+23 > 100)"),
        (5, "coefficient", "coefficient hors limites (100,5 > 100)"),
        (6, "coefficient", "« 1e309 » n'est pas un nombre"),
        (7, "ects", "ECTS hors de 0 à 30 (31)"),
    ]


def test_a_text_document_with_an_absurd_coefficient_names_its_line(tmp_path):
    lines = QLIO_LINES()
    i = next(k for k, line in enumerate(lines) if line.startswith("R1.07 "))
    lines[i] = lines[i].replace(" 1.40 ", " 140.00 ", 1)
    (tmp_path / "000_x.txt").write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SourceError) as err:
        read_document(tmp_path / "000_x.txt")
    assert (err.value.line, err.value.message) == (
        i + 1,
        "R1.07 : coefficient hors limites (140 > 100)",
    )


def QLIO_LINES() -> list[str]:
    from conftest import QLIO

    return QLIO.read_text(encoding="utf-8").split("\n")
