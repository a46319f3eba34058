"""The base-table frames of a synthetic store: every table of the nation, its coefficients
(the template's, adapted by the site), UEs with their totals, modules, warnings and the source
row, as the store's ``t_*`` tables hold them."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl

from butdata.devtools.synth.draws import uniform
from butdata.devtools.synth.shape import SITE_ADAPTED_SHARE, SITE_FACTORS, source_name
from butdata.devtools.synth.sites import site_tables
from butdata.devtools.synth.templates import Speciality, templates

GRID = pl.col("layout") == "grid"


def generate(scale: int, seed: int = 42) -> dict[str, pl.DataFrame]:
    """The base-table frames of a synthetic store (keys: t_sources, t_tables, t_ues, t_modules,
    t_coefficients, t_warnings), rows sorted by table_id."""
    if scale < 0:
        raise ValueError("scale must be >= 0")
    source = source_name(scale, seed)
    tcoefs, tmodules, specs = templates(seed)
    tables = _numbered(site_tables(specs, scale, seed), tmodules)
    c = _coefficients(tables, tcoefs, seed)
    t_ues = _ues(tables, c, specs)
    return {
        "t_sources": _sources(tables, source),
        "t_tables": _tables(tables, t_ues, source),
        "t_ues": t_ues,
        "t_modules": _modules(tables, tmodules, c),
        "t_coefficients": c.select(
            "table_id",
            pl.col("competence").cast(pl.Int32),
            "module_code",
            "module_name",
            "kind",
            "position",
            "coefficient",
            "printed",
            pl.col("line").alias("source_line"),
        ).sort("table_id", "competence", "position"),
        "t_warnings": _warnings(tables, source),
    }


def _numbered(tables: pl.DataFrame, tmodules: pl.DataFrame) -> pl.DataFrame:
    """Table ids and titles, and where each table stands in the (notional) source: its first
    line, its span and its totals line."""
    tables = tables.with_columns(
        table_id=pl.concat_str(
            pl.lit("syn-"),
            pl.col("formation").str.to_lowercase(),
            pl.lit("-"),
            pl.col("site_uid").cast(pl.String).str.zfill(5),
            pl.lit("-s"),
            pl.col("semester").cast(pl.String),
            pl.when(pl.col("alternance")).then(pl.lit("-alt")).otherwise(pl.lit("")),
            pl.when(pl.col("parcours").is_null())
            .then(pl.lit(""))
            .otherwise(pl.lit("-") + pl.col("parcours").str.to_lowercase()),
        ),
        title=pl.concat_str(
            pl.lit("Semestre "),
            pl.col("semester").cast(pl.String),
            pl.lit(" BUT "),
            pl.col("formation"),
            pl.lit(" ("),
            pl.col("site"),
            pl.lit(")"),
            pl.when(pl.col("alternance")).then(pl.lit(" par alternance")).otherwise(pl.lit("")),
            pl.when(pl.col("parcours").is_null())
            .then(pl.lit(""))
            .otherwise(pl.lit(" ") + pl.col("parcours")),
        ),
    ).sort("table_id")
    n_mod = tmodules.group_by("formation", "semester", "pkey").agg(n_mod=pl.len())
    tables = (
        tables.join(n_mod, on=["formation", "semester", "pkey"], how="left")
        .with_columns(
            span=pl.when(GRID)
            .then(pl.col("n_ue") * 7 + 6)
            .otherwise(pl.col("n_mod") * 2 + 8)
            .cast(pl.Int32)
        )
        .with_columns(source_line=(pl.col("span").cum_sum() - pl.col("span") + 1).cast(pl.Int32))
        .with_columns(
            totals_line=(pl.col("source_line") + pl.col("span") - 3).cast(pl.Int32),
            ord=pl.int_range(pl.len(), dtype=pl.Int32),
        )
    )
    return tables


def _coefficients(tables: pl.DataFrame, tcoefs: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Every table × its template rows, then the site's adaptation (the working frame: the
    stored columns plus the template's module uid, kind and position)."""
    c = tables.select(
        "table_id",
        "formation",
        "semester",
        "pkey",
        "site_uid",
        "layout",
        "status",
        "n_ue",
        "source_line",
    ).join(tcoefs, on=["formation", "semester", "pkey"])
    c = c.filter(
        (pl.col("status") == "complete")
        | ((pl.col("status") == "partial") & (pl.col("competence") != pl.col("n_ue")))
    )
    site_uid = c["site_uid"].to_numpy()
    module_uid = c["module_uid"].to_numpy()
    comp = c["competence"].to_numpy()
    u1 = uniform(site_uid, module_uid, comp, seed=seed)
    u2 = uniform(site_uid, module_uid, comp, np.full(len(c), 7), seed=seed)
    factor = np.where(
        u1 < SITE_ADAPTED_SHARE, SITE_FACTORS[(u2 * len(SITE_FACTORS)).astype(int)], 1.0
    )
    value = np.maximum(0.05, np.round(c["base"].to_numpy() * factor * 20) / 20)
    c = c.with_columns(coefficient=pl.Series(np.round(value, 2)))
    c = c.sort("table_id", "competence", pl.col("tkind") != "sae", "mpos")
    c = c.with_columns(
        position=pl.when(GRID)
        .then(pl.int_range(1, pl.len() + 1).over("table_id", "competence"))
        .otherwise(pl.col("mpos"))
        .cast(pl.Int32),
        module_code=pl.when(GRID).then(None).otherwise(pl.col("code")),
        module_name=pl.when(GRID).then(None).otherwise(pl.col("label")),
        kind=pl.when(GRID & (pl.col("tkind") != "sae")).then(None).otherwise(pl.col("tkind")),
        printed=_printed(pl.col("coefficient"), GRID),
        line=pl.when(GRID)
        .then(pl.col("source_line") + pl.col("competence") * 7)
        .otherwise(pl.col("source_line") + pl.col("mpos") * 2 + 1)
        .cast(pl.Int32),
    )
    return c


def _ues(tables: pl.DataFrame, c: pl.DataFrame, specs: list[Speciality]) -> pl.DataFrame:
    """Every competence of every non-empty table; totals from the coefficients."""
    sums = c.group_by("table_id", "competence").agg(
        total=pl.col("coefficient").sum().round(2),
        sae=pl.col("coefficient").filter(pl.col("tkind") == "sae").sum(),
    )
    names = pl.DataFrame(
        [(s.formation, k, f"Compétence {k} de {s.formation}") for s in specs for k in range(1, 6)],
        orient="row",
        schema={"formation": pl.String, "competence": pl.Int32, "name": pl.String},
    )
    u = (
        tables.filter(pl.col("status") != "empty")
        .select("table_id", "formation", "semester", "n_ue", "layout", "source_line", "totals_line")
        .with_columns(competence=pl.int_ranges(1, pl.col("n_ue") + 1, dtype=pl.Int32))
        .explode("competence")
        .join(sums, on=["table_id", "competence"], how="left")
        .join(names, on=["formation", "competence"], how="left")
        .with_columns(g=GRID, n=pl.col("n_ue").cast(pl.Int64))
    )
    base_ects = 30 // pl.col("n")
    extra = 30 - base_ects * pl.col("n")
    u = u.with_columns(
        ue=pl.when(pl.col("g"))
        .then(pl.format("UE {}.{}", pl.col("semester"), pl.col("competence")))
        .otherwise(pl.format("UE{}{}", pl.col("semester"), pl.col("competence"))),
        level=pl.when(pl.col("g")).then(pl.format("Niveau {}", (pl.col("semester") + 1) // 2)),
        ects=(
            base_ects + pl.when(pl.col("competence") > pl.col("n") - extra).then(1).otherwise(0)
        ).cast(pl.Float64),
        share=pl.when(pl.col("total") > 0).then(pl.col("sae") / pl.col("total")),
    ).with_columns(
        sae_share=pl.when(pl.col("g")).then(pl.col("share").round(2)).otherwise(pl.col("share")),
        sae_share_printed=pl.col("g"),
        aop_total=pl.when(pl.col("g")).then(pl.lit(0.5)),
        line=(
            pl.col("source_line")
            + pl.when(pl.col("g")).then(pl.col("competence") * 7).otherwise(pl.col("competence"))
        ).cast(pl.Int32),
        sum_ok=pl.when(pl.col("total").is_not_null()).then(pl.lit(True)),
        ratio_ok=pl.when(pl.col("g") & pl.col("total").is_not_null()).then(pl.lit(True)),
        row_layout=pl.when(pl.col("g")).then(pl.lit("A")),
        ord=(pl.col("competence") - 1).cast(pl.Int32),
    )
    return u.select(
        "table_id",
        "ue",
        "competence",
        "name",
        "level",
        "ects",
        "total",
        "sae_share",
        "sae_share_printed",
        "aop_total",
        pl.col("line").alias("source_line"),
        pl.when(~pl.col("g")).then(pl.col("totals_line")).alias("ects_line"),
        pl.when(~pl.col("g")).then(pl.col("totals_line")).alias("total_line"),
        "sum_ok",
        "ratio_ok",
        "row_layout",
        "ord",
    ).sort("table_id", "ord")


def _modules(tables: pl.DataFrame, tmodules: pl.DataFrame, c: pl.DataFrame) -> pl.DataFrame:
    """The clean-layout tables only (grids have no surviving module headers)."""
    sem_coef = c.group_by("table_id", "module_uid").agg(
        semester_coefficient=pl.col("coefficient").sum()
    )
    return (
        tables.filter(~GRID)
        .select("table_id", "formation", "semester", "pkey", "source_line")
        .join(tmodules, on=["formation", "semester", "pkey"])
        .join(sem_coef, on=["table_id", "module_uid"], how="left")
        .select(
            "table_id",
            pl.col("code").alias("module_code"),
            pl.col("label").alias("module_name"),
            pl.col("tkind").alias("kind"),
            pl.col("mpos").alias("position"),
            pl.col("semester_coefficient").fill_null(0.0).round(2),
            "section",
            (pl.col("source_line") + pl.col("mpos") * 2 + 1).cast(pl.Int32).alias("source_line"),
        )
        .sort("table_id", "position")
    )


def _tables(tables: pl.DataFrame, t_ues: pl.DataFrame, source: str) -> pl.DataFrame:
    """The table rows with their totals."""
    totals = t_ues.group_by("table_id").agg(
        declared_total=pl.col("total").sum().round(2),
        declared_ects=pl.col("ects").sum(),
        declared_aop=pl.col("aop_total").sum(),
        has_aop=pl.col("aop_total").is_not_null().any(),
    )
    return (
        tables.join(totals, on="table_id", how="left")
        .with_columns(
            source=pl.lit(source),
            identity_inferred=pl.lit(False),
            year=pl.lit("2025-2026"),
            declared_aop=pl.when(pl.col("has_aop")).then(pl.col("declared_aop")),
        )
        .select(
            "table_id",
            "source",
            "source_line",
            "title",
            "formation",
            "formation_name",
            "site",
            "semester",
            "parcours",
            "alternance",
            "status",
            "layout",
            "identity_inferred",
            "year",
            "declared_total",
            "declared_ects",
            "declared_aop",
            "totals_line",
            "ord",
        )
    )


def _warnings(tables: pl.DataFrame, source: str) -> pl.DataFrame:
    return (
        pl.concat(
            [
                tables.filter(pl.col("status") == "partial").select(
                    "table_id",
                    (pl.col("source_line") + pl.col("n_ue") * 7).alias("source_line"),
                    severity=pl.lit("warning"),
                    code=pl.lit("row_lost"),
                    message=pl.lit("ligne d'UE illisible (données synthétiques)"),
                ),
                tables.filter(pl.col("status") == "empty").select(
                    "table_id",
                    "source_line",
                    severity=pl.lit("warning"),
                    code=pl.lit("empty_table"),
                    message=pl.lit("aucune ligne lisible sous ce titre (données synthétiques)"),
                ),
            ]
        )
        .with_columns(source=pl.lit(source))
        .select("source", "table_id", "source_line", "severity", "code", "message")
        .sort("table_id")
    )


def _sources(tables: pl.DataFrame, source: str) -> pl.DataFrame:
    n_lines = 0
    if tables.height:
        last, span = tables["source_line"].max(), tables["span"].max()
        assert isinstance(last, int) and isinstance(span, int)  # Int32 columns, not empty
        n_lines = last + span
    return pl.DataFrame(
        {
            "source": [source],
            "layout": ["synthetic"],
            "n_lines": [n_lines],
            "sha256": [hashlib.sha256(source.encode()).hexdigest()],
            "n_tables": [tables.height],
            "title": ["Base nationale SYNTHÉTIQUE (valeurs inventées, pour les mesures)"],
            "year": [None],
            "kind": ["synthetic"],
        },
        schema={
            "source": pl.String,
            "layout": pl.String,
            "n_lines": pl.Int32,
            "sha256": pl.String,
            "n_tables": pl.Int32,
            "title": pl.String,
            "year": pl.String,
            "kind": pl.String,
        },
    )


def _printed(coef: pl.Expr, grid: pl.Expr) -> pl.Expr:
    """ "0.50" (clean layout) or "0,5" (grid: comma, no trailing zeros)."""
    cents = (coef * 100).round(0).cast(pl.Int64)
    whole = (cents // 100).cast(pl.String)
    frac2 = (cents % 100).cast(pl.String).str.zfill(2)
    frac1 = ((cents % 100) // 10).cast(pl.String)
    grid_text = (
        pl.when(cents % 100 == 0)
        .then(whole)
        .when(cents % 10 == 0)
        .then(pl.concat_str(whole, pl.lit(","), frac1))
        .otherwise(pl.concat_str(whole, pl.lit(","), frac2))
    )
    return pl.when(grid).then(grid_text).otherwise(pl.concat_str(whole, pl.lit("."), frac2))
