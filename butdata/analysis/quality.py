"""Quality report per source document, computed from the store (never from the sources).

``quality_report(con)`` takes a DuckDB connection on a store (views ``tables``, ``ues``,
``coefficients``, ``warnings``) and returns a :class:`QualityReport`:

``documents`` (one row per source): tables by status (``complete`` / ``partial`` / ``empty``),
``inferred`` (tables whose identity was read from a body printed under another title),
``ues``, ``ues_ok`` (UE rows whose own arithmetic holds: ``sum_ok`` true and ``ratio_ok`` not
false), ``values``, ``values_with_module`` (``module_code`` known), ``warnings`` and
``contradictions``.

``contradictions`` (one row per problem) lists every stored value that contradicts its own
source totals. A contradiction is, precisely:

- ``sum``: a UE with ``sum_ok = false`` whose row ending was unambiguous, i.e. a clean-layout
  table (``layout <> 'grid'``) or a grid row whose ``row_layout`` is known (A, B or C). A grid row
  with ``row_layout`` NULL had an ambiguous ending (e.g. AOP 0): its sum cannot contradict;
- ``ratio``: a UE whose sum holds but whose printed SAÉ ratio fits no leading run of its values
  (``sum_ok = true and ratio_ok = false``);
- ``values``: a UE with ``sum_ok = true`` whose stored values do not add up to its total (plus the
  AOP total in layout C) within the printed rounding: the store disagrees with what was checked;
- ``totals``: a ``complete`` table whose declared grand total or ECTS total differs from the sum
  over its UE rows.

Partial tables whose final line disagrees with their surviving rows are *not* contradictions:
rows are missing, which the status already says.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

# Values are printed with at most two decimals; TC Polynésie totals are rounded sums of 2-decimal
# cells, hence a tolerance of one cent per value on top of the half-unit of the total.
_VALUES_SQL = """
WITH sums AS (
    SELECT table_id, competence, sum(coefficient) AS s, count(*) AS n
    FROM coefficients GROUP BY table_id, competence)
SELECT t.source, u.table_id, u.ue, u.source_line AS line, 'values' AS kind,
       'valeurs enregistrées (' || round(coalesce(s.s, 0), 4) || ') ≠ total ' || u.total AS detail
FROM ues u JOIN tables t USING (table_id)
LEFT JOIN sums s ON s.table_id = u.table_id AND s.competence = u.competence
WHERE u.sum_ok AND u.total IS NOT NULL
  AND abs(coalesce(s.s, 0) + CASE WHEN u.row_layout = 'C' THEN coalesce(u.aop_total, 0) ELSE 0 END
          - u.total) > 0.005 + 0.005 * coalesce(s.n, 0)
"""

_SUM_SQL = """
SELECT t.source, u.table_id, u.ue, u.source_line AS line, 'sum' AS kind,
       'somme des valeurs ≠ total imprimé (fin de ligne ' || coalesce(u.row_layout, 'modules')
       || ')' AS detail
FROM ues u JOIN tables t USING (table_id)
WHERE u.sum_ok = false AND (t.layout <> 'grid' OR u.row_layout IS NOT NULL)
UNION ALL
SELECT t.source, u.table_id, u.ue, u.source_line, 'ratio',
       'rapport SAÉ/UE imprimé ' || u.sae_share || ' : aucune suite de valeurs en tête ne le donne'
FROM ues u JOIN tables t USING (table_id)
WHERE u.sum_ok AND u.ratio_ok = false
"""

_TOTALS_SQL = """
WITH s AS (SELECT table_id, sum(total) AS total, sum(ects) AS ects FROM ues GROUP BY table_id)
SELECT t.source, t.table_id, NULL::VARCHAR AS ue, t.totals_line AS line, 'totals' AS kind,
       'tableau complet : totaux imprimés ' || coalesce(t.declared_total::VARCHAR, '?') || ' / '
       || coalesce(t.declared_ects::VARCHAR, '?') || ' ≠ somme des UE ' || round(s.total, 4)
       || ' / ' || round(s.ects, 4) AS detail
FROM tables t JOIN s USING (table_id)
WHERE t.status = 'complete'
  AND ((t.declared_total IS NOT NULL AND abs(t.declared_total - s.total) > 0.0051)
    OR (t.declared_ects IS NOT NULL AND abs(t.declared_ects - s.ects) > 0.0051))
"""

_DOCUMENTS_SQL = """
WITH t AS (
    SELECT source, count(*) AS tables,
           count(*) FILTER (WHERE status = 'complete') AS complete,
           count(*) FILTER (WHERE status = 'partial') AS partial,
           count(*) FILTER (WHERE status = 'empty') AS empty,
           count(*) FILTER (WHERE identity_inferred) AS inferred
    FROM tables GROUP BY source),
u AS (
    SELECT t.source, count(*) AS ues,
           count(*) FILTER (WHERE u.sum_ok AND u.ratio_ok IS DISTINCT FROM false) AS ues_ok
    FROM ues u JOIN tables t USING (table_id) GROUP BY t.source),
c AS (
    SELECT t.source, count(*) AS "values",
           count(*) FILTER (WHERE c.module_code IS NOT NULL) AS values_with_module
    FROM coefficients c JOIN tables t USING (table_id) GROUP BY t.source),
w AS (SELECT source, count(*) AS warnings FROM warnings GROUP BY source)
SELECT t.source, t.tables, t.complete, t.partial, t.empty, t.inferred,
       coalesce(u.ues, 0) AS ues, coalesce(u.ues_ok, 0) AS ues_ok,
       coalesce(c."values", 0) AS "values", coalesce(c.values_with_module, 0) AS values_with_module,
       coalesce(w.warnings, 0) AS warnings
FROM t LEFT JOIN u USING (source) LEFT JOIN c USING (source) LEFT JOIN w USING (source)
ORDER BY t.source
"""


@dataclass
class QualityReport:
    documents: pl.DataFrame  # one row per source document
    contradictions: pl.DataFrame  # source, table_id, ue, line, kind, detail

    @property
    def ok(self) -> bool:
        """True when no stored value contradicts its own source totals."""
        return self.contradictions.is_empty()


def quality_report(con: duckdb.DuckDBPyConnection) -> QualityReport:
    """The quality report of every document in the store behind ``con`` (read only)."""
    cur = con.cursor()
    try:
        contradictions = cur.sql(
            " UNION ALL ".join(f"SELECT * FROM ({q})" for q in (_SUM_SQL, _VALUES_SQL, _TOTALS_SQL))
            + " ORDER BY source, line NULLS LAST, kind"
        ).pl()
        documents = cur.sql(_DOCUMENTS_SQL).pl()
    finally:
        cur.close()
    counts = contradictions.group_by("source").len("contradictions")
    documents = documents.join(counts, on="source", how="left").with_columns(
        pl.col("contradictions").fill_null(0).cast(pl.Int64)
    )
    return QualityReport(documents, contradictions)
