"""Export of the whole store (both documents) and exact round trips through CSV and XLSX."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT

from butdata.analysis.wide import wide_table
from butdata.exports.tidy import tidy_rows
from butdata.store import build_store, open_store

VIEWS = ("tables", "ues", "coefficients", "modules")


def snapshot(db: Path) -> dict[str, list]:
    """Every column of the views, except ``tables.ord`` (an index within the container file:
    one export holds both documents) whose order within each source is compared instead."""
    con = open_store(db)
    try:
        out = {}
        for view in VIEWS:
            cols = [
                r[0]
                for r in con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()
                if not (view == "tables" and r[0] == "ord")
            ]
            out[view] = con.execute(f"SELECT {', '.join(cols)} FROM {view} ORDER BY ALL").fetchall()
        out["order"] = con.execute(
            "SELECT table_id, rank() OVER (PARTITION BY source ORDER BY ord) "
            "FROM tables ORDER BY ALL"
        ).fetchall()
        return out
    finally:
        con.close()


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "butdata", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def original(store_path) -> dict[str, list]:
    return snapshot(store_path)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_a_store_built_from_its_export_alone_is_the_same(store_path, original, tmp_path, suffix):
    sources = tmp_path / "sources"
    result = cli("export", "--db", str(store_path), "--out", str(sources / f"export.{suffix}"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Modèle écrit : {sources / f'export.{suffix}'}")
    db = tmp_path / "roundtrip.duckdb"
    build_store(sources, db)
    again = snapshot(db)
    for view in (*VIEWS, "order"):
        assert again[view] == original[view], view
    assert len(again["coefficients"]) > 4000 and len(again["tables"]) > 100  # both documents
    con = open_store(db)
    try:
        # The export file is the container; the original documents stay the provenance.
        assert con.execute("SELECT source, layout FROM sources").fetchall() == [
            (f"export.{suffix}", "template")
        ]
        origins = con.execute(
            "SELECT message FROM warnings WHERE code = 'template_origin' ORDER BY message"
        ).fetchall()
        assert sorted(m[0].split("« ")[1].split(" »")[0] for m in origins) == [
            "000_f0acc9a397de0cbd.txt",
            "004_8659784350827029.txt",
        ]
    finally:
        con.close()


def test_exporting_an_export_gives_the_same_file(store_path, tmp_path):
    first = tmp_path / "a" / "export.csv"
    assert cli("export", "--db", str(store_path), "--out", str(first)).returncode == 0
    build_store(first.parent, tmp_path / "a.duckdb")
    second = tmp_path / "b.csv"
    assert cli("export", "--db", str(tmp_path / "a.duckdb"), "--out", str(second)).returncode == 0
    assert first.read_text(encoding="utf-8") == second.read_text(encoding="utf-8")


def test_csv_keeps_the_printed_text_and_exact_numbers(con):
    rows = [
        r
        for r in tidy_rows(con, ["QLIO"])
        if r["table_id"] == "000-qlio-s2" and r["module_code"] == "SAE2.01"
    ]
    # QLIO line 125: "SAE2.01 SAÉ: Projet opérationnel 5.1 1.70 1.70 1.70"
    assert [(r["ue"], r["coefficient"], r["printed"], r["source_line"]) for r in rows] == [
        ("UE21", 1.7, "1.70", 125),
        ("UE22", 1.7, "1.70", 125),
        ("UE23", 1.7, "1.70", 125),
    ]
    assert {r["semester_coefficient"] for r in rows} == {5.1}


def test_formation_filter_and_cli_errors(store_path, tmp_path):
    out = tmp_path / "qlio.csv"
    assert (
        cli("export", "--db", str(store_path), "--out", str(out), "--formation", "qlio").returncode
        == 0
    )
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("table_id,source,formation,formation_name,site,semester,parcours")
    assert {line.split(",")[2] for line in lines[1:]} == {"QLIO"}
    bad = cli(
        "export", "--db", str(store_path), "--out", str(tmp_path / "x.csv"), "--formation", "ZZZ"
    )
    assert bad.returncode == 1 and "formation absente de la base : ZZZ" in bad.stderr
    assert "Traceback" not in bad.stderr
    bad = cli("export", "--db", str(store_path), "--out", str(tmp_path / "x.json"))
    assert bad.returncode == 1 and "format de sortie non reconnu" in bad.stderr
    bad = cli("export", "--db", str(tmp_path / "absent.duckdb"), "--out", str(tmp_path / "x.csv"))
    assert bad.returncode == 1 and "base introuvable" in bad.stderr


def test_xlsx_has_a_readable_sheet_per_table(store_path, tmp_path, con):
    out = tmp_path / "qlio.xlsx"
    assert (
        cli("export", "--db", str(store_path), "--out", str(out), "--formation", "QLIO").returncode
        == 0
    )
    book = openpyxl.load_workbook(out)
    n_tables = con.execute("SELECT count(*) FROM tables WHERE formation = 'QLIO'").fetchall()[0][0]
    assert book.sheetnames[:2] == ["Modèle", "Colonnes"] and len(book.sheetnames) == 2 + n_tables
    assert book["Modèle"]["A1"].value == "Identifiant du tableau"
    s2 = next(book[n] for n in book.sheetnames if n.startswith("2 QLIO · S2"))
    rows = list(s2.iter_rows(values_only=True))
    assert rows[0][0] == "Semestre 2 BUT QLIO" and rows[3][:7] == (
        "Code",
        "Module",
        "Type",
        "Coeff. semestre",
        "UE21",
        "UE22",
        "UE23",
    )
    sae = next(r for r in s2.iter_rows(min_row=5) if r[0].value == "SAE2.01")
    assert [c.value for c in sae[3:7]] == [5.1, 1.7, 1.7, 1.7]
    assert sae[4].number_format == "0.00"  # shown as printed: 1.70
    total = next(r for r in rows if r[0] == "Total des coefficients")
    assert total[3:7] == (30, 10, 10, 10)
    # the SAÉ share is a percentage in Excel too (it was 0.41 shown as a plain number)
    share = next(r for r in s2.iter_rows(min_row=5) if r[0].value == "Part des SAÉ")
    assert all(c.number_format == "0.00%" for c in share[4:7]) and 0 < share[4].value < 1


def test_wide_view_of_a_grid_table_says_values_are_not_attributed(con):
    table_id = con.execute(
        "SELECT table_id FROM tables WHERE layout = 'grid' AND status = 'complete' "
        "AND table_id NOT IN (SELECT table_id FROM coefficients "
        "WHERE module_code IS NOT NULL) ORDER BY ord LIMIT 1"
    ).fetchall()[0][0]
    wide = wide_table(con, table_id)
    assert wide.note and "valeur n° k" in wide.note
    assert wide.rows[0][1] == "valeur n° 1"
    n = con.execute("SELECT count(*) FROM coefficients WHERE table_id = ?", [table_id]).fetchall()[
        0
    ][0]
    assert sum(v is not None for row in wide.rows for v in row[4:]) == n
    assert wide.frame().height == len(wide.rows) + 3


@pytest.fixture(scope="module")
def pdf_store(tmp_path_factory) -> Path:
    """A store built from MCC PDFs in the block and grid layouts and a block-layout XLSX."""
    import pdf_fixtures as fx

    sources = tmp_path_factory.mktemp("pdf_sources")
    (sources / "mcc_mmi.pdf").write_bytes(fx.blocks_pdf())
    (sources / "orebut_tc.pdf").write_bytes(fx.grid_pdf())
    (sources / "mcc_info.xlsx").write_bytes(fx.blocks_workbook())
    db = tmp_path_factory.mktemp("pdf_store") / "store.duckdb"
    build_store(sources, db)
    return db


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_pdf_tables_round_trip_with_their_cells(pdf_store, tmp_path, suffix):
    original = snapshot(pdf_store)
    sources = tmp_path / "sources"
    result = cli("export", "--db", str(pdf_store), "--out", str(sources / f"export.{suffix}"))
    assert result.returncode == 0, result.stderr
    db = tmp_path / "roundtrip.duckdb"
    build_store(sources, db)
    again = snapshot(db)
    for view in (*VIEWS, "order"):
        assert again[view] == original[view], view
    con = open_store(db)
    try:
        # 80 block values from the PDF (with their page and box) and 80 from the XLSX (row and
        # column labels only); grid: 17 + 6 printed cells, two of them « 0 » (not stored).
        rows = con.execute(
            "SELECT t.layout, c.source_page IS NOT NULL AND c.cell_x0 IS NOT NULL, "
            "c.row_label IS NOT NULL AND c.column_label IS NOT NULL, count(*) "
            "FROM coefficients c JOIN tables t USING (table_id) GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        assert rows == [
            ("blocks", False, True, 80),
            ("blocks", True, True, 80),
            ("grid", True, True, 21),
        ]
    finally:
        con.close()
