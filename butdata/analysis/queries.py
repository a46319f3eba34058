"""Read-only queries behind the dashboard: ``(con, scalars...) -> polars.DataFrame``.

Every query is parameterised SQL on the public views (``tables``, ``ues``, ``coefficients``,
``modules``, ``warnings``, ``sources``); user choices are only ever passed as parameters. The
``derive_*`` / ``compare_*`` functions are pure transformations of frames returned here (no SQL),
so the UI can cache the SQL part on scalars and recompute the cheap part freely.

French labels for people are built here too (``table_label``, ``doc_label``) so that every page,
export and chart names a table the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

STATUS_FR = {"complete": "complet", "partial": "partiel", "empty": "vide"}
KIND_FR = {"sae": "SAÉ", "ressource": "ressource", "portfolio": "portfolio", "stage": "stage",
           "autre": "autre", None: "non identifié"}
TRONC_COMMUN = "tronc commun"
UNATTRIBUTED_REASON = ("valeur non attribuable à un module : le document source (tableau en grille "
                       "abîmé par l'extraction du PDF) ne permet pas de savoir à quel module "
                       "appartient chaque coefficient")

# Comparison statuses of one module row (compare_modules).
SAME, CHANGED, PARTLY = "identique", "modifié", "pas dans tous"


def _ids(table_ids: Sequence[str]) -> list[str]:
    return [str(t) for t in table_ids]


def doc_label(source: str | None, site: str | None = None) -> str:
    """Short French name of a document (and site): ``doc 000`` / ``doc 004 · Agen``."""
    short = (source or "?").split("_", 1)[0]
    return f"doc {short}" + (f" · {site}" if site else "")


def parcours_label(parcours: str | None, alternance: bool | None = False) -> str:
    return (parcours or TRONC_COMMUN) + (" (alternance)" if alternance else "")


def table_label(row: dict) -> str:
    """``S3 · QMI (alternance) · doc 000`` — unique enough to name a table on screen."""
    sem = f"S{row['semester']}" if row.get("semester") is not None else "S?"
    return f"{sem} · {parcours_label(row.get('parcours'), row.get('alternance'))} · " \
           f"{doc_label(row.get('source'), row.get('site'))}"


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
    return _with_labels(df).with_columns(
        statut=pl.col("status").replace_strict(STATUS_FR, default=pl.col("status")),
        attribuable=(pl.col("n_unattributed") == 0) & (pl.col("n_coefficients") > 0),
    )


def _with_labels(df: pl.DataFrame) -> pl.DataFrame:
    if df.height == 0:
        return df.with_columns(label=pl.lit(None, pl.String), doc=pl.lit(None, pl.String),
                               parcours_fr=pl.lit(None, pl.String))
    rows = df.select("semester", "parcours", "alternance", "source", "site").to_dicts()
    return df.with_columns(
        label=pl.Series([table_label(r) for r in rows], dtype=pl.String),
        doc=pl.Series([doc_label(r["source"], r["site"]) for r in rows], dtype=pl.String),
        parcours_fr=pl.Series([parcours_label(r["parcours"], r["alternance"]) for r in rows],
                              dtype=pl.String),
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
    keys = ("documents", "tableaux", "complets", "partiels", "vides", "formations",
            "coefficients", "non_attribues", "avertissements")
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


def warnings_list(con: duckdb.DuckDBPyConnection, source: str | None = None,
                  table_id: str | None = None) -> pl.DataFrame:
    """Reading warnings, optionally of one document or one table."""
    return con.sql("""
        SELECT w.source, w.source_line, w.severity, w.code, w.message, w.table_id,
               t.formation, t.semester, t.parcours
        FROM warnings w LEFT JOIN tables t USING (table_id)
        WHERE ($source IS NULL OR w.source = $source) AND ($tid IS NULL OR w.table_id = $tid)
        ORDER BY w.source, w.source_line NULLS FIRST""",
                   params={"source": source, "tid": table_id}).pl()


def warnings_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    return con.sql("""
        SELECT w.source, w.source_line, w.severity, w.code, w.message, w.table_id
        FROM warnings w WHERE list_contains($ids, w.table_id)
        ORDER BY w.source, w.source_line""", params={"ids": _ids(table_ids)}).pl()


# --------------------------------------------------------------------------- selectors

def formations(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return con.sql("""
        SELECT formation, any_value(formation_name) AS formation_name, count(*)::INTEGER AS n_tables
        FROM tables WHERE formation IS NOT NULL GROUP BY formation ORDER BY formation""").pl()


def semesters(con: duckdb.DuckDBPyConnection, formation: str) -> list[int]:
    rows = con.execute("SELECT DISTINCT semester FROM tables WHERE formation = ? AND semester "
                       "IS NOT NULL ORDER BY semester", [formation]).fetchall()
    return [int(r[0]) for r in rows]


def tables_of(con: duckdb.DuckDBPyConnection, formation: str, semester: int | None = None
              ) -> pl.DataFrame:
    """Tables of a formation (optionally one semester), every document and site, with labels."""
    # One aggregate over the selected tables' coefficients (two correlated counts scanned the
    # coefficients once per table each).
    df = con.sql("""
        WITH t AS (SELECT * FROM tables WHERE formation = $f AND ($s IS NULL OR semester = $s)),
        c AS (SELECT table_id, count(*) AS n, count(*) FILTER (WHERE module_code IS NULL) AS nu
              FROM coefficients WHERE table_id IN (SELECT table_id FROM t) GROUP BY table_id)
        SELECT t.table_id, t.source, t.source_line, t.formation, t.site, t.semester, t.parcours,
               coalesce(t.alternance, false) AS alternance, t.status, t.n_ue, t.title,
               coalesce(c.nu, 0)::INTEGER AS n_unattributed,
               coalesce(c.n, 0)::INTEGER AS n_coefficients
        FROM t LEFT JOIN c USING (table_id)
        ORDER BY t.semester, t.source, t.site NULLS FIRST, t.parcours NULLS FIRST, t.alternance""",
                 params={"f": formation, "s": semester}).pl()
    return _with_labels(df).with_columns(
        statut=pl.col("status").replace_strict(STATUS_FR, default=pl.col("status")),
        attribuable=(pl.col("n_unattributed") == 0) & (pl.col("n_coefficients") > 0))


def table_rows(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    """The ``tables`` rows of these tables, in the order given, with labels."""
    ids = _ids(table_ids)
    df = con.sql("SELECT * FROM tables WHERE list_contains($ids, table_id)", params={"ids": ids}).pl()
    order = {t: i for i, t in enumerate(ids)}
    df = df.with_columns(_o=pl.col("table_id").replace_strict(order, default=None)).sort("_o").drop("_o")
    df = _with_labels(df).rename({"label": "full_label"})
    return df.with_columns(label=pl.Series(compact_labels(df["full_label"].to_list()), dtype=pl.String))


def compact_labels(labels: Sequence[str]) -> list[str]:
    """Drop the ``·``-separated parts shared by every label (``S3 · MP · doc 000`` and
    ``S3 · OSC · doc 000`` become ``MP`` and ``OSC``); unchanged when that would leave nothing
    or make two labels equal."""
    parts = [lab.split(" · ") for lab in labels]
    if len(parts) < 2 or len({len(p) for p in parts}) != 1:
        return list(labels)
    keep = [i for i in range(len(parts[0])) if len({p[i] for p in parts}) > 1]
    short = [" · ".join(p[i] for i in keep) for p in parts]
    if not keep or len(set(short)) != len(short):
        return list(labels)
    return short


def year_options(con: duckdb.DuckDBPyConnection, formation: str) -> pl.DataFrame:
    """What can be simulated for a formation: every table, and every year (odd table + the even
    table of the next semester, same document, site, parcours and alternance; a parcours year
    may pair with the tronc commun table of the other semester when that is the only one).

    Columns: label, kind ("semestre" | "année"), table_ids (list), semester.
    """
    t = tables_of(con, formation)
    rows = []
    recs = t.to_dicts()
    for r in recs:
        rows.append({"label": r["label"], "kind": "semestre", "table_ids": [r["table_id"]],
                     "semester": r["semester"]})
    for a in recs:
        if a["semester"] is None or a["semester"] % 2 != 1:
            continue
        evens = [b for b in recs if b["semester"] == a["semester"] + 1 and b["source"] == a["source"]
                 and b["site"] == a["site"] and b["alternance"] == a["alternance"]]
        same = [b for b in evens if b["parcours"] == a["parcours"]]
        if not same and a["parcours"] is None:
            continue  # a tronc commun odd semester whose even semesters all have a parcours
        if not same:
            same = [b for b in evens if b["parcours"] is None]
        for b in same:
            par = parcours_label(a["parcours"] or b["parcours"], a["alternance"])
            year = (a["semester"] + 1) // 2
            rows.append({"label": f"Année {year} (S{a['semester']}+S{b['semester']}) · {par} · "
                                  f"{doc_label(a['source'], a['site'])}",
                         "kind": "année", "table_ids": [a["table_id"], b["table_id"]],
                         "semester": a["semester"]})
    df = pl.DataFrame(rows, schema={"label": pl.String, "kind": pl.String,
                                    "table_ids": pl.List(pl.String), "semester": pl.Int64})
    return df.unique("label", keep="first", maintain_order=True)


# --------------------------------------------------------------------------- table contents

def coefficients_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    """Non-zero coefficients of these tables, with the module's printed name and source line."""
    return con.sql("""
        SELECT c.table_id, c.ue, c.competence, c.module_code, c.module_name, c.kind, c.position,
               c.coefficient, c.printed, c.source_line
        FROM coefficients c WHERE list_contains($ids, c.table_id)
        ORDER BY c.table_id, c.competence, c.position""", params={"ids": _ids(table_ids)}).pl()


def ues_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    return con.sql("""
        SELECT table_id, ue, competence, name, level, ects, total, sae_share, sae_share_printed,
               aop_total, source_line, ects_line, total_line, sum_ok, ratio_ok, ord
        FROM ues WHERE list_contains($ids, table_id) ORDER BY table_id, competence, ord""",
                   params={"ids": _ids(table_ids)}).pl()


def modules_of(con: duckdb.DuckDBPyConnection, table_ids: Sequence[str]) -> pl.DataFrame:
    return con.sql("""
        SELECT table_id, module_code, module_name, kind, position, semester_coefficient, section,
               source_line
        FROM modules WHERE list_contains($ids, table_id) ORDER BY table_id, position""",
                   params={"ids": _ids(table_ids)}).pl()


# --------------------------------------------------------------------------- derived (pure)

def ue_summary(coefficients: pl.DataFrame, ues: pl.DataFrame, tables: pl.DataFrame) -> pl.DataFrame:
    """Per table × UE: the coefficient total (sum of printed values), the declared total, ECTS,
    SAÉ share (printed or computed from module kinds), count of values and of values without a
    module, and the source line. ``tables`` must carry ``label``."""
    sums = (coefficients.group_by("table_id", "competence")
            .agg(somme=pl.col("coefficient").sum(),
                 sae=pl.col("coefficient").filter(pl.col("kind") == "sae").sum(),
                 n_valeurs=pl.len().cast(pl.Int64),
                 n_sans_module=pl.col("module_code").is_null().sum().cast(pl.Int64)))
    out = (ues.select("table_id", "ue", "competence", "name", "ects", "total", "sae_share",
                      "sae_share_printed", "source_line")
           .join(sums, on=["table_id", "competence"], how="left")
           .join(tables.select("table_id", "label", "source"), on="table_id", how="left")
           .with_columns(pl.col("somme", "sae").fill_null(0.0),
                         pl.col("n_valeurs", "n_sans_module").fill_null(0)))
    computed = pl.when(pl.col("somme") > 0).then(pl.col("sae") / pl.col("somme"))
    return out.with_columns(
        part_sae=pl.coalesce(pl.col("sae_share"), computed),
    ).sort("competence", "label")


def compare_modules(coefficients: pl.DataFrame, tables: pl.DataFrame) -> pl.DataFrame:
    """Module × UE comparison of several tables (attributable values only).

    One row per (competence, module code): ``ue`` (first printed code), module name and kind,
    one column per table label with the coefficient (null = absent from that table), ``statut``
    (identique / modifié / pas dans tous), ``presence`` (labels where present) and the source
    lines. Modules are matched by their printed code (code variants are separate rows).
    """
    labels = tables.select("table_id", "label")
    order = labels["label"].to_list()
    attributed = coefficients.filter(pl.col("module_code").is_not_null())
    long = (attributed.group_by("table_id", "competence", "module_code")
            .agg(ue=pl.col("ue").first(), module_name=pl.col("module_name").first(),
                 kind=pl.col("kind").first(), coefficient=pl.col("coefficient").sum(),
                 source_line=pl.col("source_line").min(), position=pl.col("position").min())
            .join(labels, on="table_id"))
    if long.height == 0:
        return pl.DataFrame(schema={"competence": pl.Int64, "ue": pl.String, "module_code": pl.String,
                                    "module_name": pl.String, "kind": pl.String, "statut": pl.String,
                                    **{lab: pl.Float64 for lab in order}})
    meta = (long.sort("table_id").group_by("competence", "module_code", maintain_order=True)
            .agg(ue=pl.col("ue").first(), module_name=pl.col("module_name").first(),
                 kind=pl.col("kind").first(), position=pl.col("position").min(),
                 n_present=pl.len(), n_values=pl.col("coefficient").round(6).n_unique(),
                 lignes=pl.concat_str(pl.col("label"), pl.lit(" l."),
                                      pl.col("source_line").cast(pl.String)).str.join(" ; ")))
    wide = long.pivot(on="label", index=["competence", "module_code"], values="coefficient")
    for lab in order:
        if lab not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(lab))
    n = len(order)
    out = meta.join(wide, on=["competence", "module_code"], how="left").with_columns(
        statut=pl.when(pl.col("n_present") < n).then(pl.lit(PARTLY))
        .when(pl.col("n_values") > 1).then(pl.lit(CHANGED)).otherwise(pl.lit(SAME)),
        kind=pl.col("kind").replace_strict(KIND_FR, default="non identifié"))
    return (out.sort("competence", "position", "module_code")
            .select("competence", "ue", "module_code", "module_name", "kind", *order, "statut",
                    "lignes"))


def value_distribution(coefficients: pl.DataFrame, tables: pl.DataFrame) -> pl.DataFrame:
    """Every non-zero value with its table label (for UE-level comparison and spread charts)."""
    return (coefficients.join(tables.select("table_id", "label"), on="table_id", how="left")
            .with_columns(kind_fr=pl.col("kind").replace_strict(KIND_FR, default="non identifié"),
                          module=pl.coalesce(pl.col("module_code"), pl.lit("(non attribuable)"))))


def ue_weights(coefficients: pl.DataFrame, tables: pl.DataFrame, by: str = "module") -> pl.DataFrame:
    """Segments of each UE's total for stacked bars: one row per table × UE × module (``by =
    "module"``) or × kind (``by = "kind"``), values without a module grouped under
    "non attribuable"."""
    df = value_distribution(coefficients, tables)
    if by == "kind":
        return (df.group_by("label", "competence", "kind_fr", maintain_order=True)
                .agg(ue=pl.col("ue").first(), coefficient=pl.col("coefficient").sum(),
                     modules=pl.col("module").unique(maintain_order=True).str.join(", "),
                     lignes=pl.col("source_line").unique(maintain_order=True).cast(pl.String)
                     .str.join(", "))
                .rename({"kind_fr": "segment"}).sort("competence", "label"))
    return (df.group_by("label", "competence", "module", maintain_order=True)
            .agg(ue=pl.col("ue").first(), coefficient=pl.col("coefficient").sum(),
                 module_name=pl.col("module_name").first(), kind_fr=pl.col("kind_fr").first(),
                 lignes=pl.col("source_line").unique(maintain_order=True).cast(pl.String)
                 .str.join(", "))
            .rename({"module": "segment"}).sort("competence", "label"))
