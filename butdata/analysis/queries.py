"""Read-only queries behind the dashboard: ``(con, scalars...) -> polars.DataFrame``.

Every query is parameterised SQL on the public views (``tables``, ``ues``, ``coefficients``,
``modules``, ``warnings``, ``sources``); user choices are only ever passed as parameters. Pure
transformations of the frames returned here live in :mod:`butdata.analysis.compare`, so the UI
can cache the SQL part on scalars and recompute the cheap part freely.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb
import polars as pl

from butdata.analysis.years import pair_records
from butdata.labels import compact_labels, doc_label, document_name, parcours_label, with_labels
from butdata.store.schema import UNATTRIBUTED_SQL
from butdata.vocab import (
    EMPTY,
    MODULES_KNOWN,
    PARTIAL,
    RELIABILITIES,
    RELIABILITY_LABELS,
    STATUS_LABELS,
    UE_ONLY,
)


def _frame(rel: duckdb.DuckDBPyRelation) -> pl.DataFrame:
    """A relation's rows as a polars frame (duckdb types ``.pl()`` as Any: lazy or not)."""
    frame: pl.DataFrame = rel.pl()
    return frame


def _ids(table_ids: Sequence[str]) -> list[str]:
    return [str(t) for t in table_ids]


def _id_params(table_ids: Sequence[str]) -> dict[str, Any]:
    """``$ids`` and its bounds ``$lo`` / ``$hi``: ``table_id BETWEEN $lo AND $hi`` lets DuckDB skip
    the row groups outside the range (zone maps; tables are stored sorted by table_id), which
    ``list_contains`` never does; the semi-join on the list stays fast for hundreds of ids.
    A query on one formation then stops growing with the store."""
    ids = _ids(table_ids)
    return {"ids": ids, "lo": min(ids, default=None), "hi": max(ids, default=None)}


# The filter on a ``table_id`` column that goes with _id_params (constant SQL).
_IN_IDS = "table_id BETWEEN $lo AND $hi AND table_id IN (SELECT unnest($ids))"


_UNATTRIBUTED = UNATTRIBUTED_SQL


def reliability_expr() -> pl.Expr:
    """:func:`butdata.vocab.reliability` on frames with ``status``, ``n_coefficients`` and
    ``n_unattributed`` (a test pins the two against each other)."""
    return (
        pl.when((pl.col("status") == EMPTY) | (pl.col("n_coefficients") == 0))
        .then(pl.lit(EMPTY))
        .when(pl.col("status") == PARTIAL)
        .then(pl.lit(PARTIAL))
        .when(pl.col("n_unattributed") > 0)
        .then(pl.lit(UE_ONLY))
        .otherwise(pl.lit(MODULES_KNOWN))
    )


def _with_reliability(df: pl.DataFrame) -> pl.DataFrame:
    """Labels, ``reliability`` (code) and ``fiabilite`` (its French label) on rows of tables."""
    return (
        with_labels(df)
        .with_columns(reliability=reliability_expr())
        .with_columns(
            fiabilite=pl.col("reliability").replace_strict(RELIABILITY_LABELS, default=None),
            statut=pl.col("status").replace_strict(STATUS_LABELS, default=pl.col("status")),
            attribuable=pl.col("reliability") == MODULES_KNOWN,
        )
    )


# Per table: coefficient counts, reading warnings (counted when the store was written), and the
# name of its document.
_TABLES_SQL = """
SELECT t.table_id, t.source, t.source_line, t.formation, t.formation_name, t.site, t.semester,
       t.parcours, coalesce(t.alternance, false) AS alternance, t.status, t.n_ue, t.title,
       t.layout, coalesce(t.identity_inferred, false) AS identity_inferred, t.ord,
       t.declared_total, t.declared_ects, s.title AS doc_title, s.year AS doc_year,
       s.kind AS doc_kind,
       coalesce(n.n_coefficients, 0)::INTEGER AS n_coefficients,
       coalesce(n.n_unattributed, 0)::INTEGER AS n_unattributed,
       coalesce(n.n_warnings, 0)::INTEGER AS n_warnings
FROM tables t
LEFT JOIN sources s USING (source)
LEFT JOIN t_table_counts n USING (table_id)
"""


def overview_tables(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per table with counts, reliability, French status and display labels."""
    df = _frame(con.sql(_TABLES_SQL + " ORDER BY t.source, t.ord"))
    return _with_reliability(df)


def store_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Headline numbers for the home page: documents, formations, tables (and per reliability:
    the keys of ``vocab.RELIABILITIES``), coefficients, unattributed values, warnings."""
    row = con.sql(f"""
        SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM tables),
               (SELECT count(DISTINCT formation) FROM tables),
               (SELECT count(*) FROM coefficients),
               (SELECT count(*) FROM coefficients WHERE {_UNATTRIBUTED}),
               (SELECT count(*) FROM warnings)""").fetchall()[0]
    keys = (
        "documents",
        "tableaux",
        "formations",
        "coefficients",
        "non_attribues",
        "avertissements",
    )
    counts = dict(zip(keys, (int(v or 0) for v in row)))
    by = overview_tables(con)["reliability"].value_counts()
    found = dict(zip(by["reliability"].to_list(), by["count"].to_list()))
    counts.update({r: int(found.get(r, 0)) for r in RELIABILITIES})
    return counts


def sources_summary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per document: its name for people, file, layout, year, and tables per reliability."""
    tables = overview_tables(con)
    docs = _frame(
        con.sql(
            "SELECT source, title, year, kind, layout, n_lines, n_tables FROM sources ORDER BY source"
        )
    )
    counts = (
        tables.group_by("source", "reliability").len().pivot(on="reliability", index="source")
        if tables.height
        else pl.DataFrame({"source": []}, schema={"source": pl.String})
    )
    for r in RELIABILITIES:
        if r not in counts.columns:
            counts = counts.with_columns(pl.lit(0, pl.UInt32).alias(r))
    warnings = _frame(
        con.sql("SELECT source, count(*)::INTEGER AS n_warnings FROM warnings GROUP BY source")
    )
    out = docs.join(counts, on="source", how="left").join(warnings, on="source", how="left")
    return out.with_columns(
        pl.col(*RELIABILITIES).fill_null(0).cast(pl.Int64),
        pl.col("n_warnings").fill_null(0),
        document=pl.Series(
            [document_name(r["source"], r["title"], r["year"]) for r in docs.iter_rows(named=True)],
            dtype=pl.String,
        ),
    )


def warnings_list(
    con: duckdb.DuckDBPyConnection, source: str | None = None, table_id: str | None = None
) -> pl.DataFrame:
    """Reading warnings, optionally of one document or one table."""
    return _frame(
        con.sql(
            """
        SELECT w.source, w.source_line, w.severity, w.code, w.message, w.table_id,
               t.formation, t.semester, t.parcours
        FROM warnings w LEFT JOIN tables t USING (table_id)
        WHERE ($source IS NULL OR w.source = $source) AND ($tid IS NULL OR w.table_id = $tid)
        ORDER BY w.source, w.source_line NULLS FIRST""",
            params={"source": source, "tid": table_id},
        )
    )


def warnings_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    return _frame(
        con.sql(
            """
        SELECT w.source, w.source_line, w.severity, w.code, w.message, w.table_id
        FROM warnings w WHERE w.table_id BETWEEN $lo AND $hi AND w.table_id IN (SELECT unnest($ids))
        ORDER BY w.source, w.source_line""",
            params=_id_params(table_ids),
        )
    )


# --------------------------------------------------------------------------- selectors


def formations(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return _frame(
        con.sql("""
        SELECT formation, any_value(formation_name) AS formation_name, count(*)::INTEGER AS n_tables
        FROM tables WHERE formation IS NOT NULL GROUP BY formation ORDER BY formation""")
    )


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
    """Tables of a formation (optionally one semester), every document and site, with labels
    and reliability."""
    df = _frame(
        con.sql(
            _TABLES_SQL + " WHERE t.formation = $f AND ($s IS NULL OR t.semester = $s)"
            " ORDER BY t.semester, t.source, t.site NULLS FIRST, t.parcours NULLS FIRST,"
            " t.alternance",
            params={"f": formation, "s": semester},
        )
    )
    return _with_reliability(df)


def table_rows(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    """The ``tables`` rows of these tables, in the order given, with labels (``full_label`` and
    ``label`` without the parts they share) and reliability."""
    ids = _ids(table_ids)
    df = _frame(con.sql(_TABLES_SQL + " WHERE t." + _IN_IDS, params=_id_params(ids)))
    order = {t: i for i, t in enumerate(ids)}
    df = (
        df.with_columns(_o=pl.col("table_id").replace_strict(order, default=None))
        .sort("_o")
        .drop("_o")
    )
    df = _with_reliability(df).rename({"label": "full_label"})
    return df.with_columns(
        label=pl.Series(compact_labels(df["full_label"].to_list()), dtype=pl.String)
    )


def tables_in_semesters(con: duckdb.DuckDBPyConnection, semesters: Sequence[int]) -> pl.DataFrame:
    """Every table of these semesters, all formations, documents and sites, with labels
    (``label``: the full table label, formation included) and reliability."""
    df = _frame(
        con.sql(
            _TABLES_SQL
            + " WHERE list_contains($s, t.semester) ORDER BY t.formation, t.source, t.ord",
            params={"s": [int(x) for x in semesters]},
        )
    )
    df = _with_reliability(df)
    return df.with_columns(full_label=pl.col("label"))


def year_options(con: duckdb.DuckDBPyConnection, formation: str) -> pl.DataFrame:
    """What can be simulated for a formation: every year (the pairing of
    :func:`butdata.analysis.years.pair_records`), then every table.

    Columns: label, kind ("année" | "semestre"), table_ids (list), semester, simulable (every
    table of the option has values), reliability (the weakest of its tables)."""
    recs = tables_of(con, formation).to_dicts()
    rank = {r: i for i, r in enumerate(RELIABILITIES)}
    rows = []

    def option(label: str, kind: str, chosen: Sequence[Mapping[str, Any]]) -> None:
        rows.append(
            {
                "label": label,
                "kind": kind,
                "table_ids": [t["table_id"] for t in chosen],
                "semester": chosen[0]["semester"],
                "simulable": all(t["n_coefficients"] > 0 for t in chosen),
                "reliability": max((t["reliability"] for t in chosen), key=rank.__getitem__),
            }
        )

    by_id = {r["table_id"]: r for r in recs}
    for odd, even in pair_records(recs):
        a, b = by_id[odd], by_id[even]
        par = parcours_label(a["parcours"] or b["parcours"], a["alternance"])
        doc = doc_label(a["source"], a["site"], a["doc_title"], a["doc_year"])
        option(
            f"Année {(a['semester'] + 1) // 2} (S{a['semester']}+S{b['semester']}) · {par} · {doc}",
            "année",
            [a, b],
        )
    for r in recs:
        option(r["label"], "semestre", [r])
    df = pl.DataFrame(
        rows,
        schema={
            "label": pl.String,
            "kind": pl.String,
            "table_ids": pl.List(pl.String),
            "semester": pl.Int64,
            "simulable": pl.Boolean,
            "reliability": pl.String,
        },
    )
    return df.unique("label", keep="first", maintain_order=True)


# --------------------------------------------------------------------------- table contents


def coefficients_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    """Non-zero coefficients of these tables, with the module's printed name and source line
    (and, for a PDF, its page and cell: « voir la source »)."""
    return _frame(
        con.sql(
            """
        SELECT c.table_id, c.ue, c.competence, c.module_code, c.module_name, c.kind, c.position,
               c.coefficient, c.printed, c.source_line, c.source_page, c.cell_x0, c.cell_top,
               c.cell_x1, c.cell_bottom
        FROM coefficients c WHERE c.table_id BETWEEN $lo AND $hi AND c.table_id IN (SELECT unnest($ids))
        ORDER BY c.table_id, c.competence, c.position""",
            params=_id_params(table_ids),
        )
    )


def ues_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    return _frame(
        con.sql(
            """
        SELECT table_id, ue, competence, name, level, ects, total, sae_share, sae_share_printed,
               aop_total, source_line, ects_line, total_line, sum_ok, ratio_ok, ord
        FROM ues WHERE table_id BETWEEN $lo AND $hi AND table_id IN (SELECT unnest($ids))
        ORDER BY table_id, competence, ord""",
            params=_id_params(table_ids),
        )
    )


def modules_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    return _frame(
        con.sql(
            """
        SELECT table_id, module_code, module_name, kind, position, semester_coefficient, section,
               source_line
        FROM modules WHERE table_id BETWEEN $lo AND $hi AND table_id IN (SELECT unnest($ids))
        ORDER BY table_id, position""",
            params=_id_params(table_ids),
        )
    )


def table_frames(
    con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]
) -> dict[str, pl.DataFrame]:
    """The rows of ``tables``, ``ues``, ``coefficients`` and ``modules`` for these tables, read
    from a store connection (parameterised SQL). Keys are the view names."""
    ids = [str(t) for t in table_ids]
    return {
        view: _frame(
            con.sql(
                f"SELECT * FROM {view} WHERE table_id BETWEEN $lo AND $hi "
                "AND table_id IN (SELECT unnest($ids))",
                params=_id_params(ids),
            )
        )
        for view in ("tables", "ues", "coefficients", "modules")
    }
