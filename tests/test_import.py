"""Import: preview (added / replaced / conflict / removed), row-level errors, all or nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import QLIO

from butdata.errors import ButdataError
from butdata.exports.tidy import csv_bytes
from butdata.store import build_store, open_store
from butdata.store import imports as imp

GOOD = """formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient,ECTS,Total UE
QLIO,1,Essai,UE11,R1.01,Anglais,2,10,5
QLIO,1,Essai,UE11,SAE1.01,Projet,3,10,5
QLIO,1,Essai,UE12,R1.01,Anglais,4,10,4
"""
# Every kind of error of the issue, one per row (the module column is missing).
BAD = """formation,semestre,UE,Coefficient
QLIO,1,UE11,2
QLIO,1,UE12,deux
QLIO,1,UE17,1
QLIO,1,UE13,-0.5
"""


@pytest.fixture()
def site(tmp_path) -> tuple[Path, Path]:
    """A sources directory with the QLIO document and its store."""
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    db = tmp_path / "store.duckdb"
    build_store(sources, db)
    return sources, db


def fingerprint(sources: Path, db: Path) -> tuple:
    files = sorted((p.name, p.read_bytes()) for p in sources.iterdir())
    return files, hashlib.sha256(db.read_bytes()).hexdigest(), db.stat().st_mtime_ns


def table_ids(db: Path) -> set[str]:
    con = open_store(db)
    try:
        return {r[0] for r in con.execute("SELECT table_id FROM tables").fetchall()}
    finally:
        con.close()


def test_a_bad_template_reports_each_error_with_its_row_and_changes_nothing(site):
    sources, db = site
    before = fingerprint(sources, db)
    preview = imp.preview_import("mcc.csv", BAD.encode(), db, sources)
    assert not preview.ok and preview.changes == []
    assert [(e.row, e.column) for e in preview.errors] == [
        (1, None),
        (3, "coefficient"),
        (4, "ue"),
        (5, "coefficient"),
    ]
    messages = [str(e) for e in preview.errors]
    assert messages == [
        "ligne 1 : colonne obligatoire manquante : « Code module » (module_code) ou « Intitulé du "
        "module »",
        "ligne 3, colonne « Coefficient » : « deux » n'est pas un nombre",
        "ligne 4, colonne « UE » : UE inconnue « UE17 » pour QLIO S1 (UE de la base : UE11, UE12, "
        "UE13)",
        "ligne 5, colonne « Coefficient » : coefficient négatif (-0.5)",
    ]
    assert preview.summary() == "4 erreur(s) : rien ne sera importé."
    with pytest.raises(ButdataError, match="import refusé : « mcc.csv », ligne 1 : colonne"):
        imp.apply_import("mcc.csv", BAD.encode(), db, sources)
    assert fingerprint(sources, db) == before  # store byte-identical, sources untouched


def test_unreadable_uploads_are_errors_not_tracebacks(site):
    sources, db = site
    before = fingerprint(sources, db)
    for name, data in [
        ("x.xlsx", b"not a workbook"),
        ("x.csv", b"\x00\x01"),
        ("x.pdf", b"%PDF"),
        ("x.csv", b""),
    ]:
        preview = imp.preview_import(name, data, db, sources)
        assert preview.errors and not preview.ok, name
        assert all(e.message and "Traceback" not in e.message for e in preview.errors)
    assert fingerprint(sources, db) == before


def test_add_then_replace_then_remove(site):
    sources, db = site
    preview = imp.preview_import("MCC QLIO essai.csv", GOOD.encode(), db, sources)
    assert preview.ok and preview.name == "MCC_QLIO_essai.csv"
    assert [(c.table_id, c.action, c.n_ue, c.n_values) for c in preview.changes] == [
        ("MCC_QLIO_essai.csv:qlio-s1-essai", imp.ADDED, 2, 3)
    ]
    preview, report = imp.apply_import("MCC QLIO essai.csv", GOOD.encode(), db, sources)
    assert (sources / "MCC_QLIO_essai.csv").exists()
    assert "MCC_QLIO_essai.csv:qlio-s1-essai" in table_ids(db) and len(table_ids(db)) == 19
    con = open_store(db)
    assert con.execute(
        "SELECT ue, module_code, coefficient, source_line FROM coefficients "
        "WHERE table_id = 'MCC_QLIO_essai.csv:qlio-s1-essai' ORDER BY ALL"
    ).fetchall() == [
        ("UE11", "R1.01", 2.0, 2),
        ("UE11", "SAE1.01", 3.0, 3),
        ("UE12", "R1.01", 4.0, 4),
    ]
    con.close()

    changed = (
        GOOD.replace("R1.01,Anglais,4,", "R1.01,Anglais,4.5,")
        + "QLIO,2,Essai,UE21,R2.01,Anglais,1,10,1\n"
    )
    preview = imp.preview_import("MCC QLIO essai.csv", changed.encode(), db, sources)
    assert [(c.action, c.detail) for c in preview.changes] == [
        (imp.REPLACED, "1 valeur(s) modifiée(s)"),
        (imp.ADDED, ""),
    ]
    imp.apply_import("MCC QLIO essai.csv", changed.encode(), db, sources)
    assert len(table_ids(db)) == 20

    only_s2 = "formation,semestre,parcours,UE,module_code,coefficient\nQLIO,2,Essai,UE21,R2.01,1\n"
    preview = imp.preview_import("MCC QLIO essai.csv", only_s2.encode(), db, sources)
    assert sorted((c.table_id, c.action) for c in preview.changes) == [
        ("MCC_QLIO_essai.csv:qlio-s1-essai", imp.REMOVED),
        ("MCC_QLIO_essai.csv:qlio-s2-essai", imp.REPLACED),
    ]
    assert preview.summary() == "Tableaux : 1 remplacé(s), 1 retiré(s)."


def test_an_uploaded_export_of_official_tables_is_attributed_to_the_upload(site):
    """Issue « who may change the store »: an upload that carries an official table's id and
    source is no longer a conflict, nor the official table: it is a table of the uploaded file,
    with the document it claims kept apart (declared_source), the official one untouched."""
    sources, db = site
    con = open_store(db)
    export = csv_bytes(con, table_ids=["000-qlio-s1"])
    official = con.execute(
        "SELECT * FROM coefficients WHERE table_id = '000-qlio-s1' ORDER BY ALL"
    ).fetchall()
    con.close()
    preview = imp.preview_import("qlio_s1.csv", export, db, sources)
    assert preview.ok
    assert [(c.table_id, c.action) for c in preview.changes] == [
        ("qlio_s1.csv:000-qlio-s1", imp.ADDED)
    ]
    assert "document déclaré : « 000_f0acc9a397de0cbd.txt »" in preview.changes[0].detail
    imp.apply_import("qlio_s1.csv", export, db, sources)
    con = open_store(db)
    try:
        assert con.execute(
            "SELECT source, declared_source FROM tables WHERE table_id = ?",
            ["qlio_s1.csv:000-qlio-s1"],
        ).fetchall() == [("qlio_s1.csv", "000_f0acc9a397de0cbd.txt")]
        assert (
            con.execute(
                "SELECT * FROM coefficients WHERE table_id = '000-qlio-s1' ORDER BY ALL"
            ).fetchall()
            == official
        )
        # the lines are the upload's own rows (2 = first data row), not the official ones
        lines = [
            r[0]
            for r in con.execute(
                "SELECT source_line FROM coefficients WHERE table_id = ? ORDER BY source_line",
                ["qlio_s1.csv:000-qlio-s1"],
            ).fetchall()
        ]
        n_rows = export.decode().count("\n") - 1
        assert lines and lines[0] >= 2 and lines[-1] <= n_rows + 1
    finally:
        con.close()


def test_a_failed_rebuild_puts_the_previous_file_back(site, monkeypatch):
    sources, db = site
    imp.apply_import("essai.csv", GOOD.encode(), db, sources)
    before = fingerprint(sources, db)

    def broken(*args, **kwargs):
        raise ButdataError("disque plein")

    monkeypatch.setattr(imp, "build_store", broken)
    with pytest.raises(ButdataError, match="import annulé, rien n'a changé : disque plein"):
        imp.apply_import("essai.csv", GOOD.replace(",2,10,5", ",2.5,10,5").encode(), db, sources)
    with pytest.raises(ButdataError):
        imp.apply_import("nouveau.csv", GOOD.encode().replace(b"Essai", b"Autre"), db, sources)
    assert fingerprint(sources, db) == before  # the imports register (.imports.json) included
    assert [p.name for p in sources.iterdir() if p.name.startswith(".")] == [".imports.json"]


def test_an_xlsx_template_imports_too(site, tmp_path):
    sources, db = site
    from butdata.exports.tidy import xlsx_bytes

    con = open_store(db)
    data = xlsx_bytes(con, table_ids=["000-qlio-s1"])
    con.close()
    preview = imp.preview_import("s1.xlsx", data, db, sources)
    assert preview.layout == "template" and [(c.table_id, c.action) for c in preview.changes] == [
        ("s1.xlsx:000-qlio-s1", imp.ADDED)
    ]


@pytest.mark.parametrize(
    "name,expected",
    [
        ("../../etc/x.csv", "x.csv"),
        ("Modèle été.XLSX", "Modele_ete.xlsx"),
        ("C:\\Users\\a\\b.csv", "b.csv"),
    ],
)
def test_safe_names(name, expected):
    assert imp.safe_name(name) == expected
