"""Pure derivations of the frames that :mod:`butdata.analysis.queries` returns (no SQL): per-UE
totals and SAÉ shares, the module × UE comparison of several tables, value distributions and
the segments of each UE's total."""

from __future__ import annotations

import polars as pl

from butdata.vocab import KIND_LABELS, SAE_KINDS

UNATTRIBUTED_REASON = (
    "valeur non attribuable à un module : le document source (tableau en grille "
    "abîmé par l'extraction du PDF) ne permet pas de savoir à quel module "
    "appartient chaque coefficient"
)

UNATTRIBUTED_LABEL = "(non attribuable)"

# Comparison statuses of one module row (compare_modules).
SAME, CHANGED, PARTLY = "identique", "modifié", "pas dans tous"


def ue_summary(coefficients: pl.DataFrame, ues: pl.DataFrame, tables: pl.DataFrame) -> pl.DataFrame:
    """Per table × UE: the coefficient total (sum of printed values), the declared total, ECTS,
    SAÉ share (printed or computed from module kinds), count of values and of values without a
    module, and the source line. ``tables`` must carry ``label``."""
    sums = coefficients.group_by("table_id", "competence").agg(
        somme=pl.col("coefficient").sum(),
        sae=pl.col("coefficient").filter(pl.col("kind").is_in(list(SAE_KINDS))).sum(),
        n_valeurs=pl.len().cast(pl.Int64),
        n_sans_module=(~attributable()).sum().cast(pl.Int64),
    )
    out = (
        ues.select(
            "table_id",
            "ue",
            "competence",
            "name",
            "ects",
            "total",
            "sae_share",
            "sae_share_printed",
            "source_line",
        )
        .join(sums, on=["table_id", "competence"], how="left")
        .join(tables.select("table_id", "label", "source"), on="table_id", how="left")
        .with_columns(
            pl.col("somme", "sae").fill_null(0.0), pl.col("n_valeurs", "n_sans_module").fill_null(0)
        )
    )
    computed = pl.when(pl.col("somme") > 0).then(pl.col("sae") / pl.col("somme"))
    return out.with_columns(
        part_sae=pl.coalesce(pl.col("sae_share"), computed),
    ).sort("competence", "label")


def module_key() -> pl.Expr:
    """A module's identity in a table: its printed code, or its name when the source prints no
    code (block layouts); null when the source does not say which module a value belongs to."""
    return pl.coalesce(pl.col("module_code"), pl.col("module_name"))


def attributable() -> pl.Expr:
    """A value is attributable to a module when the source names the module."""
    return module_key().is_not_null()


def compare_modules(coefficients: pl.DataFrame, tables: pl.DataFrame) -> pl.DataFrame:
    """Module × UE comparison of several tables (attributable values only).

    One row per (competence, module): ``ue`` (first printed code), ``module`` (its key: the
    printed code, or the name when the source prints no code), code, name and kind, one column
    per table label with the coefficient (null = absent from that table), ``statut`` (identique /
    modifié / pas dans tous) and the source lines (``lignes``). Modules are matched by their
    printed code (code variants are separate rows), or by name when there is no code.
    """
    labels = tables.select("table_id", "label")
    order = labels["label"].to_list()
    attributed = coefficients.with_columns(module=module_key()).filter(
        pl.col("module").is_not_null()
    )
    long = (
        attributed.group_by("table_id", "competence", "module")
        .agg(
            ue=pl.col("ue").first(),
            module_code=pl.col("module_code").first(),
            module_name=pl.col("module_name").first(),
            kind=pl.col("kind").first(),
            coefficient=pl.col("coefficient").sum(),
            source_line=pl.col("source_line").min(),
            position=pl.col("position").min(),
        )
        .join(labels, on="table_id")
    )
    if long.height == 0:
        return pl.DataFrame(
            schema={
                "competence": pl.Int64,
                "ue": pl.String,
                "module": pl.String,
                "module_code": pl.String,
                "module_name": pl.String,
                "kind": pl.String,
                **{lab: pl.Float64 for lab in order},
                "statut": pl.String,
                "lignes": pl.String,
            }
        )
    meta = (
        long.sort("table_id")
        .group_by("competence", "module", maintain_order=True)
        .agg(
            ue=pl.col("ue").first(),
            module_code=pl.col("module_code").first(),
            module_name=pl.col("module_name").first(),
            kind=pl.col("kind").first(),
            position=pl.col("position").min(),
            n_present=pl.len(),
            n_values=pl.col("coefficient").round(6).n_unique(),
            lignes=pl.concat_str(
                pl.col("label"), pl.lit(" l."), pl.col("source_line").cast(pl.String)
            ).str.join(" ; "),
        )
    )
    wide = long.pivot(on="label", index=["competence", "module"], values="coefficient")
    for lab in order:
        if lab not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Float64).alias(lab))
    n = len(order)
    out = meta.join(wide, on=["competence", "module"], how="left").with_columns(
        statut=pl.when(pl.col("n_present") < n)
        .then(pl.lit(PARTLY))
        .when(pl.col("n_values") > 1)
        .then(pl.lit(CHANGED))
        .otherwise(pl.lit(SAME)),
        kind=pl.col("kind").replace_strict(KIND_LABELS, default="non identifié"),
    )
    return out.sort("competence", "position", "module").select(
        "competence",
        "ue",
        "module",
        "module_code",
        "module_name",
        "kind",
        *order,
        "statut",
        "lignes",
    )


def value_distribution(coefficients: pl.DataFrame, tables: pl.DataFrame) -> pl.DataFrame:
    """Every non-zero value with its table label (for UE-level comparison and spread charts)."""
    return coefficients.join(
        tables.select("table_id", "label"), on="table_id", how="left"
    ).with_columns(
        kind_fr=pl.col("kind").replace_strict(KIND_LABELS, default="non identifié"),
        module=pl.coalesce(module_key(), pl.lit(UNATTRIBUTED_LABEL)),
    )


def ue_weights(
    coefficients: pl.DataFrame, tables: pl.DataFrame, by: str = "module"
) -> pl.DataFrame:
    """Segments of each UE's total for stacked bars: one row per table × UE × module (``by =
    "module"``) or × kind (``by = "kind"``), values without a module grouped under
    "non attribuable"."""
    df = value_distribution(coefficients, tables)
    if by == "kind":
        return (
            df.group_by("label", "competence", "kind_fr", maintain_order=True)
            .agg(
                ue=pl.col("ue").first(),
                coefficient=pl.col("coefficient").sum(),
                modules=pl.col("module").unique(maintain_order=True).str.join(", "),
                lignes=pl.col("source_line")
                .unique(maintain_order=True)
                .cast(pl.String)
                .str.join(", "),
            )
            .rename({"kind_fr": "segment"})
            .sort("competence", "label")
        )
    return (
        df.group_by("label", "competence", "module", maintain_order=True)
        .agg(
            ue=pl.col("ue").first(),
            coefficient=pl.col("coefficient").sum(),
            module_name=pl.col("module_name").first(),
            kind_fr=pl.col("kind_fr").first(),
            lignes=pl.col("source_line").unique(maintain_order=True).cast(pl.String).str.join(", "),
        )
        .rename({"module": "segment"})
        .sort("competence", "label")
    )
