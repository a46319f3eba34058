"""Building blocks of the « Comparer les parcours » page (layout only; data from butdata)."""

from __future__ import annotations

import pandas as pd
import polars as pl
import streamlit as st

from butdata import charts
from butdata.analysis import compare as cmp

from . import downloads
from .format import pct

ROW_COLORS = {cmp.PARTLY: "#fff1d6", cmp.CHANGED: "#dbe8fb", cmp.SAME: "#ffffff"}


def styled_matrix(matrix: pl.DataFrame, labels: list[str]):
    """Pandas Styler: rows coloured by status, changed cells in bold, absent cells marked."""
    pdf = matrix.to_pandas()

    def row_style(row: pd.Series) -> list[str]:
        color = ROW_COLORS.get(row["statut"], "#ffffff")
        styles = []
        present = [row[lab] for lab in labels if pd.notna(row[lab])]
        for col in row.index:
            css = f"background-color: {color}"
            if col in labels:
                if pd.isna(row[col]):
                    css += "; color: #999999"
                elif (
                    row["statut"] == cmp.CHANGED
                    and len(set(present)) > 1
                    and row[col] != max(present, key=present.count)
                ):
                    css += "; font-weight: 700; color: #0b3d91"
            styles.append(css)
        return styles

    fmt = {
        lab: (lambda v: "absent" if pd.isna(v) else f"{v:g}".replace(".", ",")) for lab in labels
    }
    return pdf.style.apply(row_style, axis=1).format(fmt)


def module_comparison(matrix: pl.DataFrame, labels: list[str]) -> None:
    counts = matrix["statut"].value_counts()
    by = dict(zip(counts["statut"].to_list(), counts["count"].to_list()))
    c = st.columns(3)
    c[0].metric(
        "Identiques", by.get(cmp.SAME, 0), help="même coefficient dans tous les parcours choisis"
    )
    c[1].metric(
        "Coefficient modifié",
        by.get(cmp.CHANGED, 0),
        help="présent partout, coefficient différent (en gras, sur fond bleu)",
    )
    c[2].metric(
        "Pas dans tous les parcours",
        by.get(cmp.PARTLY, 0),
        help="module absent d'au moins un parcours (fond orange, « absent »)",
    )
    only_diff = st.toggle(
        "N'afficher que les différences", key="diff", bind="query-params", persist_state="session"
    )
    shown = matrix.filter(pl.col("statut") != cmp.SAME) if only_diff else matrix
    view = shown.rename(
        {
            "ue": "UE",
            "module_code": "module",
            "module_name": "intitulé",
            "kind": "type",
            "lignes": "lignes source",
        }
    ).drop("competence")
    st.dataframe(
        styled_matrix(view, labels),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * view.height, 640),
    )
    st.caption(
        "Fond orange : module absent d'au moins un parcours · fond bleu : coefficient "
        "modifié (valeur différente en gras) · blanc : identique. Les modules sont "
        "rapprochés par leur code imprimé."
    )
    downloads.table_buttons(view, "comparaison-modules", "cmp_matrix")


def ue_table(summary: pl.DataFrame) -> pl.DataFrame:
    return summary.select(
        pl.col("ue").alias("UE"),
        pl.col("label").alias("parcours"),
        pl.col("somme").round(3).alias("total des coefficients"),
        pl.col("total").alias("total imprimé"),
        pl.col("ects").alias("ECTS"),
        pl.col("part_sae").alias("part SAÉ"),
        pl.when(pl.col("sae_share_printed"))
        .then(pl.lit("imprimée"))
        .otherwise(pl.lit("calculée"))
        .alias("part SAÉ : origine"),
        pl.col("n_valeurs").alias("valeurs"),
        pl.col("n_sans_module").alias("sans module"),
        pl.col("source").alias("source"),
        pl.col("source_line").alias("ligne"),
    )


def ue_level(summary: pl.DataFrame, values: pl.DataFrame, key: str) -> None:
    table = ue_table(summary)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={"part SAÉ": st.column_config.NumberColumn(format="percent")},
    )
    downloads.table_buttons(table, "comparaison-ue", f"{key}_ue")
    fig = charts.ue_values_strip(values)
    downloads.chart(fig, "valeurs-par-ue", f"{key}_strip")


def share_line(summary: pl.DataFrame) -> str:
    parts = []
    for r in summary.iter_rows(named=True):
        parts.append(f"{r['ue']} ({r['label']}) : {pct(r['part_sae'])}")
    return " · ".join(parts)
