"""The store: public views, provenance, atomic builds, clear errors (QLIO document only here)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import QLIO, ROOT, source_line

from butdata.errors import SourceError
from butdata.store import build_store, ensure_store, open_store

REQUIRED = {
    "tables": {
        "table_id",
        "source",
        "source_line",
        "formation",
        "formation_name",
        "site",
        "semester",
        "parcours",
        "alternance",
        "status",
        "n_ue",
    },
    "ues": {"table_id", "ue", "competence", "name", "ects", "total", "sae_share", "source_line"},
    "coefficients": {
        "table_id",
        "competence",
        "module_code",
        "module_name",
        "kind",
        "position",
        "coefficient",
        "source_line",
    },
}


@pytest.fixture()
def qlio_sources(tmp_path) -> Path:
    d = tmp_path / "sources"
    d.mkdir()
    shutil.copy(QLIO, d)
    return d


@pytest.fixture()
def qlio_store(qlio_sources, tmp_path) -> Path:
    db = tmp_path / "store.duckdb"
    build_store(qlio_sources, db)
    return db


def snapshot(db: Path):
    con = open_store(db)
    try:
        return [
            con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall()
            for v in ("tables", "ues", "coefficients", "modules", "warnings")
        ]
    finally:
        con.close()


def test_views_have_the_documented_columns(qlio_store):
    con = open_store(qlio_store)
    for view, columns in REQUIRED.items():
        got = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {view}").fetchall()}
        assert columns <= got, (view, columns - got)


def test_counts_and_a_traced_value(qlio_store):
    con = open_store(qlio_store)
    assert con.execute("SELECT count(*) FROM tables").fetchall() == [(18,)]
    assert con.execute("SELECT count(*) FROM modules").fetchall() == [(321,)]
    # line 125: "SAE2.01 SAÉ: Projet opérationnel 5.1 1.70 1.70 1.70" (QLIO S2)
    assert source_line(QLIO, 125) == "SAE2.01 SAÉ: Projet opérationnel 5.1 1.70 1.70 1.70"
    rows = con.execute(
        "SELECT c.ue, c.coefficient, c.kind, c.source_line, t.source FROM coefficients c "
        "JOIN tables t USING (table_id) WHERE c.table_id = ? AND c.module_code = ? ORDER BY c.ue",
        ["000-qlio-s2", "SAE2.01"],
    ).fetchall()
    assert rows == [(f"UE2{i}", 1.7, "sae", 125, QLIO.name) for i in (1, 2, 3)]
    # line 137: "Crédits ECTS 30 10 10 10"
    assert con.execute(
        "SELECT ue, ects, total FROM ues WHERE table_id = ? ORDER BY ue", ["000-qlio-s2"]
    ).fetchall() == [("UE21", 10, 10), ("UE22", 10, 10), ("UE23", 10, 10)]
    assert con.execute("SELECT DISTINCT status FROM tables").fetchall() == [("complete",)]


def test_every_value_sums_to_its_printed_total(qlio_store):
    # Document property: column sums equal "Total des coefficients" in all 18 tables.
    con = open_store(qlio_store)
    bad = con.execute("""
        SELECT u.table_id, u.ue FROM ues u LEFT JOIN coefficients c USING (table_id, competence)
        GROUP BY u.table_id, u.ue, u.total HAVING abs(coalesce(sum(c.coefficient), 0) - u.total) > 1e-6
    """).fetchall()
    assert bad == []


def test_rebuild_keeps_ids(qlio_sources, qlio_store):
    before = snapshot(qlio_store)
    build_store(qlio_sources, qlio_store)
    assert snapshot(qlio_store) == before


def test_store_is_read_only(qlio_store):
    con = open_store(qlio_store)
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM t_tables")


def test_binary_file_leaves_store_byte_identical(qlio_sources, qlio_store):
    before = qlio_store.read_bytes()
    (qlio_sources / "zz_broken.txt").write_bytes(b"\x00\x01binary\xff")
    with pytest.raises(SourceError) as err:
        build_store(qlio_sources, qlio_store)
    assert err.value.source == "zz_broken.txt"
    assert qlio_store.read_bytes() == before
    assert not list(qlio_store.parent.glob("*.tmp-*"))


def test_bad_encoding_names_file_and_line(qlio_sources, qlio_store):
    (qlio_sources / "zz_latin1.txt").write_bytes(
        "ligne 1\nSemestre 1 BUT QLIO \xe9\n".encode("latin-1")
    )
    with pytest.raises(SourceError) as err:
        build_store(qlio_sources, qlio_store)
    assert (err.value.source, err.value.line) == ("zz_latin1.txt", 2)


def test_cli_build_reports_error_without_traceback(qlio_sources, qlio_store):
    (qlio_sources / "zz_broken.txt").write_bytes(b"\x00binary")
    before = qlio_store.read_bytes()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "butdata",
            "build",
            "--sources",
            str(qlio_sources),
            "--db",
            str(qlio_store),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode != 0
    assert "zz_broken.txt" in proc.stderr and "Traceback" not in proc.stderr
    assert qlio_store.read_bytes() == before


def test_cli_build_summary(qlio_sources, tmp_path):
    db = tmp_path / "cli.duckdb"
    proc = subprocess.run(
        [sys.executable, "-m", "butdata", "build", "--sources", str(qlio_sources), "--db", str(db)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    assert "18 tableaux (18 complets)" in proc.stdout and "321" not in proc.stderr
    assert "781 coefficients" in proc.stdout  # 321 module lines, non-zero UE cells only


SLOW_BUILD = """
import sys, time
import butdata.store.build as store
real = store.write_store
def slow(*args, **kwargs):
    print("writing", flush=True)
    real(*args, **kwargs)
    time.sleep(30)  # killed here: the temporary file is complete but not yet moved
store.write_store = slow
store.build_store(sys.argv[1], sys.argv[2])
"""


@pytest.mark.parametrize("delay", [0.0, 0.05, "after-write"])
def test_kill_9_during_build_keeps_previous_store(qlio_sources, qlio_store, delay):
    before = snapshot(qlio_store)
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_BUILD, str(qlio_sources), str(qlio_store)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    if delay == "after-write":
        assert proc.stdout.readline().strip() == "writing"
        time.sleep(0.5)
    else:
        time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert snapshot(qlio_store) == before
    build_store(qlio_sources, qlio_store)  # a later build cleans the killed build's temporary
    assert not list(qlio_store.parent.glob("*.tmp-*"))


def test_ensure_store_builds_only_when_needed(qlio_sources, tmp_path):
    db = tmp_path / "auto.duckdb"
    assert ensure_store(db, qlio_sources) is True
    assert ensure_store(db, qlio_sources) is False
    (qlio_sources / QLIO.name).write_text(QLIO.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert ensure_store(db, qlio_sources) is True  # sources changed: stale store rebuilt
