"""The synthetic national store: same schema as a real store, realistic structure, seeded,
and impossible to mistake for real data. Small scales only (nothing here is timed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import QLIO, SOURCES

from butdata.cli.main import main
from butdata.devtools import synth
from butdata.store import build_store, ensure_store, open_store


@pytest.fixture(scope="module")
def real_store(tmp_path_factory) -> Path:
    """A real store from the QLIO document (the clean layout the profile was learned from)."""
    d = tmp_path_factory.mktemp("qlio")
    (d / "sources").mkdir()
    shutil.copy(QLIO, d / "sources")
    db = d / "real.duckdb"
    build_store(d / "sources", db)
    return db


@pytest.fixture(scope="module")
def syn_store(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("syn") / "syn.duckdb"
    synth.write_synthetic_store(db, scale=3, seed=42)
    return db


@pytest.fixture()
def con(syn_store):
    c = open_store(syn_store)
    yield c
    c.close()


def _schema(db: Path):
    c = duckdb.connect(str(db), read_only=True)
    try:
        cols = c.execute(
            "SELECT table_name, column_name, data_type, is_nullable, column_index "
            "FROM duckdb_columns() WHERE database_name = current_database() "
            "ORDER BY ALL"
        ).fetchall()
        views = c.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY ALL"
        ).fetchall()
        return cols, views
    finally:
        c.close()


def test_schema_equals_a_real_store(real_store, syn_store):
    real_cols, real_views = _schema(real_store)
    syn_cols, syn_views = _schema(syn_store)
    assert syn_cols == real_cols
    assert syn_views == real_views


def test_profile_is_learned_from_the_real_qlio_tables(real_store):
    c = open_store(real_store)
    try:
        assert synth.learn_profile(c, "table_id LIKE '000-%'") == synth.PROFILE
    finally:
        c.close()


def test_marked_synthetic_everywhere(con):
    name = synth.source_name(3, 42)
    assert name.startswith("SYNTHÉTIQUE")
    assert con.execute("SELECT DISTINCT source FROM tables").fetchall() == [(name,)]
    assert con.execute("SELECT source, layout FROM sources").fetchall() == [(name, "synthetic")]
    assert con.execute(
        "SELECT count(*) FROM tables WHERE NOT starts_with(table_id, 'syn-')"
    ).fetchall() == [(0,)]
    assert con.execute("SELECT DISTINCT source FROM warnings").fetchall() == [(name,)]
    meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
    assert meta["synthetic"] == "true" and meta["sources_dir"] == "synthetic"
    assert meta["synth_scale"] == "3" and meta["synth_seed"] == "42"


def test_the_app_never_rebuilds_a_synthetic_store(syn_store):
    before = syn_store.stat().st_mtime_ns
    assert ensure_store(syn_store, SOURCES) is False
    assert syn_store.stat().st_mtime_ns == before


def test_national_structure(con):
    # 24 specialities, each at `scale` sites; semesters 1-6; 3-5 UEs; ≤ 5 parcours.
    assert con.execute("SELECT count(DISTINCT formation) FROM tables").fetchall() == [(24,)]
    assert con.execute(
        "SELECT DISTINCT count(DISTINCT site) FROM tables GROUP BY formation"
    ).fetchall() == [(3,)]
    assert con.execute("SELECT min(semester), max(semester) FROM tables").fetchall() == [(1, 6)]
    assert con.execute(
        "SELECT min(n_ue), max(n_ue) FROM tables WHERE status <> 'empty'"
    ).fetchall() == [(3, 5)]
    assert (
        con.execute(
            "SELECT max(n) FROM (SELECT count(DISTINCT parcours) n FROM tables "
            "GROUP BY formation, site, semester)"
        ).fetchall()[0][0]
        <= 5
    )
    kinds = {r[0] for r in con.execute("SELECT DISTINCT kind FROM coefficients").fetchall()}
    assert kinds == {"ressource", "sae", "portfolio", "stage", "autre", None}
    statuses = dict(con.execute("SELECT status, count(*) FROM tables GROUP BY 1").fetchall())
    assert statuses["complete"] > 10 * (statuses.get("partial", 0) + statuses.get("empty", 0))
    # Every UE of a complete table is fed; totals are the sums of the stored coefficients.
    bad = con.execute("""
        SELECT count(*) FROM ues u JOIN tables t USING (table_id)
        LEFT JOIN (SELECT table_id, competence, sum(coefficient) s FROM coefficients GROUP BY ALL) c
          USING (table_id, competence)
        WHERE t.status = 'complete' AND (c.s IS NULL OR abs(c.s - u.total) > 0.011)""").fetchall()
    assert bad == [(0,)]
    # ECTS: 30 per semester.
    assert con.execute(
        "SELECT DISTINCT declared_ects FROM tables WHERE status <> 'empty'"
    ).fetchall() == [(30.0,)]


def test_grid_tables_have_no_module_codes_and_clean_tables_have_all(con):
    rows = dict(
        con.execute("""
        SELECT t.layout, count(*) FILTER (WHERE c.module_code IS NULL) = count(*)
        FROM coefficients c JOIN tables t USING (table_id) GROUP BY 1""").fetchall()
    )
    assert rows == {"grid": True, "modules": False}
    assert con.execute(
        "SELECT count(*) FROM coefficients c JOIN tables t USING (table_id) "
        "WHERE t.layout = 'modules' AND c.module_code IS NULL"
    ).fetchall() == [(0,)]
    assert con.execute(
        "SELECT count(*) FROM modules m JOIN tables t USING (table_id) WHERE t.layout = 'grid'"
    ).fetchall() == [(0,)]
    # Grid values print with a decimal comma, clean ones with two decimals and a dot.
    printed = dict(
        con.execute("""
        SELECT t.layout, bool_and(CASE WHEN t.layout = 'grid' THEN NOT contains(c.printed, '.')
                                       ELSE regexp_full_match(c.printed, '\\d+\\.\\d\\d') END)
        FROM coefficients c JOIN tables t USING (table_id) GROUP BY 1""").fetchall()
    )
    assert printed == {"grid": True, "modules": True}


def test_tronc_commun_is_shared_across_the_parcours_of_a_site(con):
    # Same site, semester, module and UE: one coefficient, whatever the parcours.
    rows = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE n_values > 1) FROM (
            SELECT count(DISTINCT c.coefficient) n_values, count(DISTINCT t.table_id) n_tables
            FROM coefficients c JOIN tables t USING (table_id) JOIN modules m
              ON m.table_id = c.table_id AND m.module_code = c.module_code
            WHERE m.section = 'tronc commun' AND t.semester >= 3
            GROUP BY t.formation, t.site, t.semester, c.module_code, c.competence
            HAVING n_tables > 1)""").fetchall()
    shared, differing = rows[0]
    assert shared > 100 and differing == 0
    # ...while sites do adapt some of them.
    adapted = con.execute("""
        SELECT count(*) FROM (
            SELECT count(DISTINCT c.coefficient) n FROM coefficients c JOIN tables t USING (table_id)
            WHERE t.layout = 'modules' GROUP BY t.formation, t.semester, c.module_code, c.competence
            HAVING n > 1)""").fetchall()[0][0]
    assert adapted > 0


def test_same_seed_same_store_other_seed_other_store():
    a, b = synth.generate(1, seed=5), synth.generate(1, seed=5)
    for name in a:
        assert a[name].equals(b[name]), name
    c = synth.generate(1, seed=6)
    assert not a["t_coefficients"].equals(c["t_coefficients"])


def test_scale_is_sites_per_speciality():
    small, big = synth.generate(1, seed=1), synth.generate(4, seed=1)
    assert (
        small["t_tables"].group_by("formation").agg(pl.col("site").n_unique())["site"].to_list()
        == [1] * 24
    )
    assert (
        big["t_tables"].group_by("formation").agg(pl.col("site").n_unique())["site"].to_list()
        == [4] * 24
    )
    assert 2 * small["t_coefficients"].height < big["t_coefficients"].height
    assert synth.generate(0, seed=1)["t_tables"].height == 0


def test_command_writes_atomically(tmp_path, capsys):
    db = tmp_path / "s.duckdb"
    db.write_bytes(b"old")
    assert main(["synth", "--scale", "1", "--db", str(db), "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHÉTIQUE-national-scale1-seed3" in out
    # no temporary left (the write lock's file stays: removing it would race another writer)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb", "s.duckdb.lock"]
    c = open_store(db)
    try:
        assert c.execute("SELECT count(*) > 0 FROM coefficients").fetchall() == [(True,)]
    finally:
        c.close()
    assert main(["synth", "--scale", "-1", "--db", str(db)]) == 1
