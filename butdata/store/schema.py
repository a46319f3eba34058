"""The store's DuckDB schema: private ``t_*`` tables and the public views documented in the
README (``tables``, ``ues``, ``coefficients``, ``modules``, ``warnings``, ``sources``)."""

from typing import Any

SCHEMA_VERSION = "6"

SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE t_sources (
    source VARCHAR PRIMARY KEY, layout VARCHAR, n_lines INTEGER, sha256 VARCHAR, n_tables INTEGER,
    title VARCHAR, year VARCHAR, kind VARCHAR);
CREATE TABLE t_tables (
    table_id VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, source_line INTEGER, title VARCHAR,
    formation VARCHAR, formation_name VARCHAR, site VARCHAR, semester INTEGER, parcours VARCHAR,
    alternance BOOLEAN, status VARCHAR NOT NULL, layout VARCHAR, identity_inferred BOOLEAN,
    year VARCHAR, declared_total DOUBLE, declared_ects DOUBLE, declared_aop DOUBLE,
    totals_line INTEGER, ord INTEGER, declared_source VARCHAR);
CREATE TABLE t_ues (
    table_id VARCHAR NOT NULL, ue VARCHAR NOT NULL, competence INTEGER NOT NULL, name VARCHAR,
    level VARCHAR, ects DOUBLE, total DOUBLE, sae_share DOUBLE, sae_share_printed BOOLEAN,
    aop_total DOUBLE, source_line INTEGER, ects_line INTEGER, total_line INTEGER,
    sum_ok BOOLEAN, ratio_ok BOOLEAN, row_layout VARCHAR, ord INTEGER);
CREATE TABLE t_modules (
    table_id VARCHAR NOT NULL, module_code VARCHAR, module_name VARCHAR, kind VARCHAR,
    position INTEGER, semester_coefficient DOUBLE, section VARCHAR, source_line INTEGER);
CREATE TABLE t_coefficients (
    table_id VARCHAR NOT NULL, competence INTEGER NOT NULL, module_code VARCHAR,
    module_name VARCHAR, kind VARCHAR, position INTEGER NOT NULL, coefficient DOUBLE NOT NULL,
    printed VARCHAR NOT NULL, source_line INTEGER NOT NULL, grid_column INTEGER,
    source_page INTEGER, row_label VARCHAR, column_label VARCHAR,
    cell_x0 DOUBLE, cell_top DOUBLE, cell_x1 DOUBLE, cell_bottom DOUBLE);
CREATE TABLE t_warnings (
    source VARCHAR NOT NULL, table_id VARCHAR, source_line INTEGER, severity VARCHAR,
    code VARCHAR, message VARCHAR);

CREATE VIEW sources AS
SELECT source, layout, n_lines, sha256, n_tables, title, year, kind FROM t_sources;
CREATE TABLE t_table_counts (
    table_id VARCHAR PRIMARY KEY, n_ue INTEGER NOT NULL, n_coefficients INTEGER NOT NULL,
    n_unattributed INTEGER NOT NULL, n_warnings INTEGER NOT NULL);
CREATE VIEW tables AS
SELECT t.table_id, t.source, t.source_line, t.formation, t.formation_name, t.site, t.semester,
       t.parcours, t.alternance, t.status,
       coalesce(n.n_ue, 0)::INTEGER AS n_ue,
       t.title, t.layout, t.identity_inferred, t.year, t.declared_total, t.declared_ects,
       t.declared_aop, t.totals_line, t.ord, t.declared_source
FROM t_tables t LEFT JOIN t_table_counts n USING (table_id);
CREATE VIEW ues AS
SELECT table_id, ue, competence, name, level, ects, total, sae_share, sae_share_printed,
       aop_total, source_line, ects_line, total_line, sum_ok, ratio_ok, row_layout, ord
FROM t_ues;
CREATE VIEW coefficients AS
SELECT c.table_id, u.ue, c.competence, c.module_code, c.module_name, c.kind, c.position,
       c.coefficient, c.printed, c.source_line, c.grid_column, c.source_page, c.row_label,
       c.column_label, c.cell_x0, c.cell_top, c.cell_x1, c.cell_bottom
FROM t_coefficients c LEFT JOIN t_ues u USING (table_id, competence);
CREATE VIEW modules AS
SELECT table_id, module_code, module_name, kind, position, semester_coefficient, section,
       source_line FROM t_modules;
CREATE VIEW warnings AS
SELECT source, table_id, source_line, severity, code, message FROM t_warnings;
"""

# A value is attributable to a module when the source names the module (a code, or a name
# alone in layouts that print no codes).
UNATTRIBUTED_SQL = "module_code IS NULL AND module_name IS NULL"

# Counted once when a store is written (``write_counts``): listing a formation's tables then
# reads one row per table, never the country's coefficients (a picker of one formation stays
# flat at national scale).
COUNTS_SQL = f"""
INSERT INTO t_table_counts
SELECT t.table_id, coalesce(u.n, 0), coalesce(c.n, 0), coalesce(c.nu, 0), coalesce(w.n, 0)
FROM t_tables t
LEFT JOIN (SELECT table_id, count(*) AS n FROM t_ues GROUP BY table_id) u USING (table_id)
LEFT JOIN (SELECT table_id, count(*) AS n,
                  count(*) FILTER (WHERE {UNATTRIBUTED_SQL}) AS nu
           FROM t_coefficients GROUP BY table_id) c USING (table_id)
LEFT JOIN (SELECT table_id, count(*) AS n FROM t_warnings
           WHERE table_id IS NOT NULL GROUP BY table_id) w USING (table_id)
ORDER BY t.table_id
"""


def write_counts(con: Any) -> None:
    """Fill ``t_table_counts`` once every row of the store is written (every writer calls it)."""
    con.execute(COUNTS_SQL)
