"""Picking some of a file's tables: what the import writes (the imports register's ``excluded``),
what every later build reads (``readers.selection``), the same choice for a file placed by hand
(``exclure`` in ``NAME.meta.toml``), and the refusals that change nothing.

The grid PDF of tests/pdf_fixtures.py has two tables: TC S1 with 15 non-zero values (UE 1.1: 4,
6, 2, 3, 1; UE 1.2: 5, 7,5, 1,5, 1; UE 1.3: 2, 2, 1, 1, 4, 2) and TC S2 with 6 (5, 4, 1; 3, 6,
1), counted by hand from the fixture."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pdf_fixtures as fx
import pytest
from conftest import QLIO

from butdata.errors import ButdataError
from butdata.readers import read_document
from butdata.store import build_store, open_store
from butdata.store import imports as imp

NAME = "orebut_tc.pdf"
S1, S2 = f"{NAME}:tc-perigueux-s1", f"{NAME}:tc-perigueux-s2"


@pytest.fixture()
def site(tmp_path) -> tuple[Path, Path]:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    db = tmp_path / "store.duckdb"
    build_store(sources, db)
    return sources, db


def counts(db: Path) -> dict[str, int]:
    con = open_store(db)
    try:
        rows = con.execute(
            "SELECT table_id, count(*) FROM coefficients JOIN tables USING (table_id) "
            "WHERE source <> ? GROUP BY 1",
            [QLIO.name],
        ).fetchall()
    finally:
        con.close()
    return {r[0]: int(r[1]) for r in rows}


def state(sources: Path, db: Path) -> tuple[str, list[tuple[str, str]]]:
    def digest(p: Path) -> str:
        return hashlib.sha256(p.read_bytes()).hexdigest()

    return digest(db), sorted((p.name, digest(p)) for p in sources.iterdir())


def test_the_tables_left_out_never_reach_the_store_even_after_a_rebuild(site):
    sources, db = site
    preview, _ = imp.apply_import(NAME, fx.grid_pdf(), db, sources, excluded=[S2])
    assert [(c.table_id, c.action) for c in preview.changes_with([S2])] == [
        (S1, imp.ADDED),
        (S2, imp.SKIPPED),
    ]
    assert counts(db) == {S1: 15}
    register = json.loads((sources / ".imports.json").read_text(encoding="utf-8"))
    assert register["files"][NAME]["excluded"] == [S2]
    build_store(sources, db)
    assert counts(db) == {S1: 15}
    # What the build says about it: one information naming the table set aside.
    doc = read_document(sources / NAME, imported=True, excluded=[S2])
    assert [t.table_id for t in doc.tables] == [S1]
    assert [(i.code, i.severity) for i in doc.issues] == [("tables_excluded", "info")]
    assert S2 in doc.issues[0].message


def test_importing_again_with_another_choice(site):
    sources, db = site
    imp.apply_import(NAME, fx.grid_pdf(), db, sources, excluded=[S2])
    # The same file, now keeping S2 and leaving S1 out: S1 leaves the store, S2 comes in.
    preview = imp.preview_import(NAME, fx.grid_pdf(), db, sources)
    assert [(c.table_id, c.action) for c in preview.changes] == [
        (S1, imp.REPLACED),
        (S2, imp.ADDED),
    ]
    assert [(c.table_id, c.action) for c in preview.changes_with([S1])] == [
        (S1, imp.REMOVED),
        (S2, imp.ADDED),
    ]
    assert preview.summary([S1]) == "Tableaux : 1 ajouté(s), 1 retiré(s)."
    imp.apply_import(NAME, fx.grid_pdf(), db, sources, excluded=[S1])
    assert counts(db) == {S2: 6}
    imp.apply_import(NAME, fx.grid_pdf(), db, sources)  # everything
    assert counts(db) == {S1: 15, S2: 6}
    register = json.loads((sources / ".imports.json").read_text(encoding="utf-8"))
    assert "excluded" not in register["files"][NAME]


@pytest.mark.parametrize(
    ("excluded", "message"),
    [
        ([S1, S2], "aucun tableau de « orebut_tc.pdf » n'est coché"),
        ([f"{NAME}:tc-perigueux-s9"], "absent(s) des fichiers : orebut_tc.pdf:tc-perigueux-s9"),
    ],
)
def test_a_selection_that_cannot_be_kept_is_refused_and_changes_nothing(site, excluded, message):
    sources, db = site
    before = state(sources, db)
    with pytest.raises(ButdataError, match="import refusé") as err:
        imp.apply_import(NAME, fx.grid_pdf(), db, sources, excluded=excluded)
    assert message in str(err.value)
    assert state(sources, db) == before


def test_a_failed_rebuild_puts_the_sources_back(site, monkeypatch):
    sources, db = site
    imp.apply_import(NAME, fx.grid_pdf(), db, sources, excluded=[S2])
    before = state(sources, db)

    def broken(*args, **kwargs):
        raise ButdataError("disque plein")

    monkeypatch.setattr(imp, "build_store", broken)
    with pytest.raises(ButdataError, match="import annulé, rien n'a changé : disque plein"):
        imp.apply_import(NAME, fx.grid_pdf(), db, sources)
    assert state(sources, db) == before  # the register still leaves S2 out
    assert counts(db) == {S1: 15}


def test_exclure_in_the_metadata_file_of_a_file_placed_by_hand(tmp_path):
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "tc.pdf").write_bytes(fx.grid_pdf())
    # A file placed by hand keeps its reader's ids (not qualified by its name).
    (sources / "tc.meta.toml").write_text(
        'exclure = ["tc-tc-perigueux-s2", "tc-tc-perigueux-s7"]\n', encoding="utf-8"
    )
    doc = read_document(sources / "tc.pdf")
    assert [t.table_id for t in doc.tables] == ["tc-tc-perigueux-s1"]
    assert [(i.code, i.severity) for i in doc.issues] == [
        ("tables_excluded", "info"),
        ("excluded_unknown", "warning"),
    ]
    assert "tc-tc-perigueux-s7" in doc.issues[1].message
    db = tmp_path / "store.duckdb"
    build_store(sources, db)
    con = open_store(db)
    try:
        assert con.execute("SELECT table_id, count(*) FROM coefficients GROUP BY 1").fetchall() == [
            ("tc-tc-perigueux-s1", 15)
        ]
    finally:
        con.close()


def test_exclure_must_be_a_list_of_ids(tmp_path):
    from butdata.errors import SourceError

    (tmp_path / "tc.pdf").write_bytes(fx.grid_pdf())
    (tmp_path / "tc.meta.toml").write_text('exclure = "tc-tc-perigueux-s2"\n', encoding="utf-8")
    with pytest.raises(SourceError, match="« exclure » : liste d'identifiants de tableaux"):
        read_document(tmp_path / "tc.pdf")


# ------------------------------------------------------------------- python -m butdata import


def test_the_command_line_previews_then_imports_the_tables_kept(site, tmp_path, capsys):
    from butdata.cli.main import main

    sources, db = site
    pdf = tmp_path / NAME
    pdf.write_bytes(fx.grid_pdf())
    before = state(sources, db)
    assert main(["import", str(pdf), "--db", str(db), "--sources", str(sources)]) == 0
    out = capsys.readouterr().out
    assert "Tableaux : 2 ajouté(s)." in out and "Aperçu seulement : rien n'a été écrit" in out
    assert "total faux : UE 2.2 : somme des coefficients 10 ≠ total imprimé 11" in out
    assert state(sources, db) == before  # a preview writes nothing
    args = ["import", str(pdf), "--db", str(db), "--sources", str(sources), "--exclure", S2]
    assert main([*args, "--confirmer"]) == 0
    assert "Tableaux : 1 ajouté(s), 1 écarté(s)." in capsys.readouterr().out
    assert counts(db) == {S1: 15}
    # journalled like an import of the page: who (the OS user, from the command line), what
    from butdata.store import journal as jn

    (line,) = [json.loads(x) for x in jn.journal_path(db).read_text(encoding="utf-8").splitlines()]
    assert (line["action"], line["outcome"], line["file"]) == ("import", "réussi", NAME)
    assert line["method"] == "ligne de commande" and line["added"] == [S1]


def test_the_command_line_names_a_bad_file_and_writes_nothing(site, tmp_path, capsys):
    from butdata.cli.main import main

    sources, db = site
    bad = tmp_path / "casse.pdf"
    bad.write_bytes(b"%PDF-1.4\n\x00 rien")
    before = state(sources, db)
    args = ["import", str(bad), "--db", str(db), "--sources", str(sources), "--confirmer"]
    assert main(args) == 1
    captured = capsys.readouterr()
    assert "« casse.pdf » : PDF tronqué" in captured.out
    assert "rien n'a été importé" in captured.err and "Traceback" not in captured.err
    assert state(sources, db) == before
