"""Read-only queries behind the dashboard: ``(con, scalars...) -> polars.DataFrame``.

Every query is parameterised SQL on the public views (``tables``, ``ues``, ``coefficients``,
``modules``, ``warnings``, ``sources``); user choices are only ever passed as parameters. Pure
transformations of the frames returned here live in :mod:`butdata.analysis.compare`, so the UI
can cache the SQL part on scalars and recompute the cheap part freely.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from butdata.analysis.years import pair_records
from butdata.labels import compact_labels, doc_label, parcours_label, with_labels
from butdata.vocab import STATUS_LABELS


def _ids(table_ids: Sequence[str]) -> list[str]:
    return [str(t) for t in table_ids]


# --------------------------------------------------------------------------- overview

_OVERVIEW_SQL = """
SELECT t.table_id, t.source, t.source_line, t.formation, t.formation_name, t.site, t.semester,
       t.parcours, coalesce(t.alternance, false) AS alternance, t.status, t.n_ue, t.title,
       t.layout, coalesce(t.identity_inferred, false) AS identity_inferred, t.ord,
       coalesce(c.n_coefficients, 0)::INTEGER AS n_coefficients,
       coalesce(c.n_unattributed, 0)::INTEGER AS n_unattributed,
       coalesce(w.n_warnings, 0)::INTEGER AS n_warnings
FROM tables t
LEFT JOIN (SELECT table_id, count(*) AS n_coefficients,
                  count(*) FILTER (WHERE module_code IS NULL) AS n_unattributed
           FROM coefficients GROUP BY table_id) c USING (table_id)
LEFT JOIN (SELECT table_id, count(*) AS n_warnings FROM warnings
           WHERE table_id IS NOT NULL GROUP BY table_id) w USING (table_id)
ORDER BY t.source, t.ord
"""


def overview_tables(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per table with counts, French status and a display label."""
    df = con.sql(_OVERVIEW_SQL).pl()
    return with_labels(df).with_columns(
        statut=pl.col("status").replace_strict(STATUS_LABELS, default=pl.col("status")),
        attribuable=(pl.col("n_unattributed") == 0) & (pl.col("n_coefficients") > 0),
    )


def store_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Headline numbers for the home page."""
    row = con.sql("""
        SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM tables),
               (SELECT count(*) FROM tables WHERE status = 'complete'),
               (SELECT count(*) FROM tables WHERE status = 'partial'),
               (SELECT count(*) FROM tables WHERE status = 'empty'),
               (SELECT count(DISTINCT formation) FROM tables),
               (SELECT count(*) FROM coefficients),
               (SELECT count(*) FROM coefficients WHERE module_code IS NULL),
               (SELECT count(*) FROM warnings)""").fetchall()[0]
    keys = (
        "documents",
        "tableaux",
        "complets",
        "partiels",
        "vides",
        "formations",
        "coefficients",
        "non_attribues",
        "avertissements",
    )
    return dict(zip(keys, (int(v or 0) for v in row)))


def sources_summary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("""
        SELECT s.source, s.layout, s.n_lines, s.n_tables,
               count(*) FILTER (WHERE t.status = 'complete')::INTEGER AS complets,
               count(*) FILTER (WHERE t.status = 'partial')::INTEGER AS partiels,
               count(*) FILTER (WHERE t.status = 'empty')::INTEGER AS vides,
               (SELECT count(*) FROM warnings w WHERE w.source = s.source)::INTEGER AS avertissements
        FROM sources s LEFT JOIN tables t USING (source)
        GROUP BY ALL ORDER BY s.source""").pl()


def warnings_list(
    con: duckdb.DuckDBPyConnection, source: str | None = None, table_id: str | None = None
) -> pl.DataFrame:
    """Reading warnings, optionally of one document or one table."""
    return con.sql(
        """
        SELECT w.source, w.source_line, w.severity, w.code, w.message, w.table_id,
               t.formation, t.semester, t.parcours
        FROM warnings w LEFT JOIN tables t USING (table_id)
        WHERE ($source IS NULL OR w.source = $source) AND ($tid IS NULL OR w.table_id = $tid)
        ORDER BY w.source, w.source_line NULLS FIRST""",
        params={"source": source, "tid": table_id},
    ).pl()


def warnings_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    return con.sql(
        """
        SELECT w.source, w.source_line, w.severity, w.code, w.message, w.table_id
        FROM warnings w WHERE list_contains($ids, w.table_id)
        ORDER BY w.source, w.source_line""",
        params={"ids": _ids(table_ids)},
    ).pl()


# --------------------------------------------------------------------------- selectors


def formations(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("""
        SELECT formation, any_value(formation_name) AS formation_name, count(*)::INTEGER AS n_tables
        FROM tables WHERE formation IS NOT NULL GROUP BY formation ORDER BY formation""").pl()


def semesters(con: duckdb.DuckDBPyConnection, formation: str) -> list[int]:
    rows = con.execute(
        "SELECT DISTINCT semester FROM tables WHERE formation = ? AND semester "
        "IS NOT NULL ORDER BY semester",
        [formation],
    ).fetchall()
    return [int(r[0]) for r in rows]


def tables_of(
    con: duckdb.DuckDBPyConnection, formation: str, semester: int | None = None
) -> pl.DataFrame:
    """Tables of a formation (optionally one semester), every document and site, with labels."""
    # One aggregate over the selected tables' coefficients (two correlated counts scanned the
    # coefficients once per table each).
    df = con.sql(
        """
        WITH t AS (SELECT * FROM tables WHERE formation = $f AND ($s IS NULL OR semester = $s)),
        c AS (SELECT table_id, count(*) AS n, count(*) FILTER (WHERE module_code IS NULL) AS nu
              FROM coefficients WHERE table_id IN (SELECT table_id FROM t) GROUP BY table_id)
        SELECT t.table_id, t.source, t.source_line, t.formation, t.site, t.semester, t.parcours,
               coalesce(t.alternance, false) AS alternance, t.status, t.n_ue, t.title,
               coalesce(c.nu, 0)::INTEGER AS n_unattributed,
               coalesce(c.n, 0)::INTEGER AS n_coefficients
        FROM t LEFT JOIN c USING (table_id)
        ORDER BY t.semester, t.source, t.site NULLS FIRST, t.parcours NULLS FIRST, t.alternance""",
        params={"f": formation, "s": semester},
    ).pl()
    return with_labels(df).with_columns(
        statut=pl.col("status").replace_strict(STATUS_LABELS, default=pl.col("status")),
        attribuable=(pl.col("n_unattributed") == 0) & (pl.col("n_coefficients") > 0),
    )


def table_rows(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    """The ``tables`` rows of these tables, in the order given, with labels."""
    ids = _ids(table_ids)
    df = con.sql(
        "SELECT * FROM tables WHERE list_contains($ids, table_id)", params={"ids": ids}
    ).pl()
    order = {t: i for i, t in enumerate(ids)}
    df = (
        df.with_columns(_o=pl.col("table_id").replace_strict(order, default=None))
        .sort("_o")
        .drop("_o")
    )
    df = with_labels(df).rename({"label": "full_label"})
    return df.with_columns(
        label=pl.Series(compact_labels(df["full_label"].to_list()), dtype=pl.String)
    )


def year_options(con: duckdb.DuckDBPyConnection, formation: str) -> pl.DataFrame:
    """What can be simulated for a formation: every table, and every year (the pairing of
    :func:`butdata.analysis.years.pair_records`).

    Columns: label, kind ("semestre" | "année"), table_ids (list), semester.
    """
    t = tables_of(con, formation)
    recs = t.to_dicts()
    rows = [
        {
            "label": r["label"],
            "kind": "semestre",
            "table_ids": [r["table_id"]],
            "semester": r["semester"],
        }
        for r in recs
    ]
    by_id = {r["table_id"]: r for r in recs}
    for odd, even in pair_records(recs):
        a, b = by_id[odd], by_id[even]
        par = parcours_label(a["parcours"] or b["parcours"], a["alternance"])
        year = (a["semester"] + 1) // 2
        rows.append(
            {
                "label": f"Année {year} (S{a['semester']}+S{b['semester']}) · {par} · "
                f"{doc_label(a['source'], a['site'])}",
                "kind": "année",
                "table_ids": [odd, even],
                "semester": a["semester"],
            }
        )
    df = pl.DataFrame(
        rows,
        schema={
            "label": pl.String,
            "kind": pl.String,
            "table_ids": pl.List(pl.String),
            "semester": pl.Int64,
        },
    )
    return df.unique("label", keep="first", maintain_order=True)


# --------------------------------------------------------------------------- table contents


def coefficients_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    """Non-zero coefficients of these tables, with the module's printed name and source line."""
    return con.sql(
        """
        SELECT c.table_id, c.ue, c.competence, c.module_code, c.module_name, c.kind, c.position,
               c.coefficient, c.printed, c.source_line
        FROM coefficients c WHERE list_contains($ids, c.table_id)
        ORDER BY c.table_id, c.competence, c.position""",
        params={"ids": _ids(table_ids)},
    ).pl()


def ues_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    return con.sql(
        """
        SELECT table_id, ue, competence, name, level, ects, total, sae_share, sae_share_printed,
               aop_total, source_line, ects_line, total_line, sum_ok, ratio_ok, ord
        FROM ues WHERE list_contains($ids, table_id) ORDER BY table_id, competence, ord""",
        params={"ids": _ids(table_ids)},
    ).pl()


def modules_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    return con.sql(
        """
        SELECT table_id, module_code, module_name, kind, position, semester_coefficient, section,
               source_line
        FROM modules WHERE list_contains($ids, table_id) ORDER BY table_id, position""",
        params={"ids": _ids(table_ids)},
    ).pl()


def table_frames(
    con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]
) -> dict[str, pl.DataFrame]:
    """The rows of ``tables``, ``ues``, ``coefficients`` and ``modules`` for these tables, read
    from a store connection (parameterised SQL). Keys are the view names."""
    ids = [str(t) for t in table_ids]
    return {
        view: con.sql(
            f"SELECT * FROM {view} WHERE list_contains($ids, table_id)",
            params={"ids": ids},
        ).pl()
        for view in ("tables", "ues", "coefficients", "modules")
    }
