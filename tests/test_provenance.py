"""Provenance cannot be forged (issue « who may change the store »): a file imported through
the page is attributed to itself, the document it claims is kept apart (``declared_source``),
its ids are qualified by its name, and imports are bounded by quotas.

Before this issue a template row with ``source=000_f0acc9a397de0cbd.txt`` put a forged
coefficient 99 under the official document, exactly like the official tables, and a
``table_id`` squatted in advance turned a department's later import into a « conflit »."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import QLIO

from butdata.errors import ButdataError
from butdata.exports.tidy import csv_bytes
from butdata.store import build_store, open_store
from butdata.store import imports as imp
from butdata.store.manifest import MANIFEST

OFFICIAL = QLIO.name  # 000_f0acc9a397de0cbd.txt
HEADER = "table_id,source,formation,semestre,parcours,UE,Code module,Coefficient\n"


@pytest.fixture()
def site(tmp_path) -> tuple[Path, Path]:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    db = tmp_path / "store.duckdb"
    build_store(sources, db)
    return sources, db


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = open_store(db)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_a_forged_source_is_attributed_to_the_uploaded_file(site):
    sources, db = site
    official = rows(db, "SELECT * FROM coefficients WHERE table_id = '000-qlio-s1' ORDER BY ALL")
    forged = HEADER + f"000-qlio-s1,{OFFICIAL},QLIO,1,,UE11,R1.01,99\n"
    preview, _ = imp.apply_import("forge.csv", forged.encode(), db, sources)
    assert [(c.table_id, c.action) for c in preview.changes] == [
        ("forge.csv:000-qlio-s1", imp.ADDED)
    ]
    # nothing stored under the official document has a 99; the official table is unchanged
    assert rows(
        db,
        "SELECT count(*) FROM coefficients c JOIN tables t USING (table_id) "
        "WHERE t.source = ? AND c.coefficient = 99",
        [OFFICIAL],
    ) == [(0,)]
    assert (
        rows(db, "SELECT * FROM coefficients WHERE table_id = '000-qlio-s1' ORDER BY ALL")
        == official
    )
    assert rows(
        db,
        "SELECT t.source, t.declared_source, t.source_line, c.coefficient, c.source_line "
        "FROM tables t JOIN coefficients c USING (table_id) WHERE t.table_id = ?",
        ["forge.csv:000-qlio-s1"],
    ) == [("forge.csv", OFFICIAL, 2, 99.0, 2)]  # line 2 of forge.csv, not of the document
    assert rows(db, "SELECT severity, message FROM warnings WHERE code = 'declared_source'") == [
        (
            "info",
            f"1 tableau(x) déclaré(s) repris de « {OFFICIAL} » : valeurs attribuées à ce fichier "
            "importé, document déclaré gardé à part (non vérifié)",
        )
    ]
    # its status is computed from its values, never taken from the file
    forged_status = HEADER.replace("\n", ",status\n") + (
        f"000-qlio-s1,{OFFICIAL},QLIO,1,,UE11,R1.01,99,complete\n"
    )
    imp.apply_import("forge.csv", forged_status.encode(), db, sources)
    assert rows(db, "SELECT status FROM tables WHERE table_id = 'forge.csv:000-qlio-s1'") == [
        ("partial",)  # no printed total or ECTS to check it against
    ]


def test_a_squatted_id_cannot_block_a_later_import(site):
    sources, db = site
    # squat the ids the department's file will use, and the official documents' key
    squat = (
        HEADER
        + "mcc_gea.csv:qlio-s1-essai,,QLIO,1,Essai,UE11,R1.01,1\n"
        + "x-qlio-s1-essai,,QLIO,1,Essai,UE11,R1.02,1\n"
    )
    imp.apply_import("squat.csv", squat.encode(), db, sources)
    imp.apply_import(
        "000_f0acc9a397de0cbd.csv",
        (HEADER + ",,QLIO,1,,UE11,R1.01,7\n").encode(),
        db,
        sources,
    )
    assert "000_f0acc9a397de0cbd.csv:qlio-s1" in {
        r[0] for r in rows(db, "SELECT table_id FROM tables")
    }
    department = HEADER + ",,QLIO,1,Essai,UE11,R1.01,2\n"
    preview = imp.preview_import("mcc_gea.csv", department.encode(), db, sources)
    assert preview.ok
    assert [(c.table_id, c.action) for c in preview.changes] == [
        ("mcc_gea.csv:qlio-s1-essai", imp.ADDED)
    ]
    imp.apply_import("mcc_gea.csv", department.encode(), db, sources)
    assert rows(
        db, "SELECT table_id, source FROM tables WHERE table_id LIKE '%essai%' ORDER BY ALL"
    ) == [
        ("mcc_gea.csv:qlio-s1-essai", "mcc_gea.csv"),
        ("squat.csv:qlio-s1-essai", "squat.csv"),  # its claimed qualification is dropped
        ("squat.csv:x-qlio-s1-essai", "squat.csv"),
    ]


def test_an_export_of_an_import_reimported_replaces_its_own_tables(site):
    sources, db = site
    imp.apply_import("mcc.csv", (HEADER + ",,QLIO,1,Essai,UE11,R1.01,2\n").encode(), db, sources)
    con = open_store(db)
    export = csv_bytes(con, table_ids=["mcc.csv:qlio-s1-essai"])
    con.close()
    preview = imp.preview_import("mcc.csv", export, db, sources)
    assert [(c.table_id, c.action, c.detail) for c in preview.changes] == [
        ("mcc.csv:qlio-s1-essai", imp.REPLACED, "valeurs inchangées")
    ]
    # under another name, the id is qualified once, by the new file
    other = imp.preview_import("copie.csv", export, db, sources)
    assert [(c.table_id, c.action) for c in other.changes] == [
        ("copie.csv:qlio-s1-essai", imp.ADDED)
    ]
    assert "document déclaré : « mcc.csv »" in other.changes[0].detail


def test_an_operator_file_cannot_be_replaced_from_the_page(site):
    sources, db = site
    (sources / "officiel.csv").write_bytes((HEADER + ",,QLIO,2,,UE21,R2.01,1\n").encode())
    build_store(sources, db)
    preview = imp.preview_import("officiel.csv", b"formation,ue\n", db, sources)
    assert [str(e) for e in preview.errors] == [
        "ligne 1 : « officiel.csv » a été placé dans le dossier des sources par "
        "l'administrateur (ce n'est pas un import) : déposez votre fichier sous un autre nom"
    ]


def test_quotas_on_the_number_and_size_of_imported_files(site, monkeypatch):
    sources, db = site
    monkeypatch.setenv("BUTDATA_MAX_IMPORTED_FILES", "2")
    for i in range(2):
        imp.apply_import(
            f"f{i}.csv", (HEADER + f",,QLIO,1,P{i},UE11,R1.01,1\n").encode(), db, sources
        )
    third = (HEADER + ",,QLIO,1,P3,UE11,R1.01,1\n").encode()
    with pytest.raises(ButdataError) as err:
        imp.apply_import("f3.csv", third, db, sources)
    assert str(err.value) == (
        "import refusé : 2 fichiers déjà importés (plafond 2) ; réimportez un fichier existant "
        "sous son nom pour le remplacer"
    )
    assert not (sources / "f3.csv").exists()
    imp.apply_import("f1.csv", third, db, sources)  # replacing one is allowed
    monkeypatch.setenv("BUTDATA_MAX_IMPORTED_FILES", "10")
    monkeypatch.setenv("BUTDATA_MAX_IMPORTED_BYTES", "150")
    with pytest.raises(
        ButdataError,
        match=r"import refusé : les fichiers importés feraient \d+ octets \(plafond 150 octets\)",
    ):
        imp.apply_import("f4.csv", third, db, sources)


def test_the_register_records_who_imported_what(site):
    sources, db = site
    data = (HEADER + ",,QLIO,1,Essai,UE11,R1.01,2\n").encode()
    imp.apply_import("mcc.csv", data, db, sources, author="marie.curie@iut.example")
    register = json.loads((sources / MANIFEST).read_text(encoding="utf-8"))
    entry = register["files"]["mcc.csv"]
    assert (entry["author"], entry["size"], entry["sha256"]) == (
        "marie.curie@iut.example",
        len(data),
        imp.file_digest(data),
    )
    assert imp.import_records(sources)["mcc.csv"].author == "marie.curie@iut.example"


def test_without_a_readable_register_every_spreadsheet_is_read_as_an_import(site):
    sources, db = site
    forged = HEADER + f"000-qlio-s1,{OFFICIAL},QLIO,1,,UE11,R1.01,99\n"
    (sources / "depose.csv").write_text(forged, encoding="utf-8")
    (sources / MANIFEST).write_text("{pas du json", encoding="utf-8")
    build_store(sources, db)
    assert rows(db, "SELECT source, declared_source FROM tables WHERE table_id LIKE 'depose%'") == [
        ("depose.csv", OFFICIAL)
    ]
    assert rows(db, "SELECT source FROM warnings WHERE code = 'imports_register'") == [
        ("depose.csv",)
    ]
