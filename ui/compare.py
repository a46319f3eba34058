"""Building blocks of the « Comparer les parcours » page (layout only; data from butdata)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl
import streamlit as st

from butdata import charts, fmt
from butdata.analysis import compare as cmp

from . import downloads, source_view

ROW_COLORS = {cmp.PARTLY: "#fff1d6", cmp.CHANGED: "#dbe8fb", cmp.SAME: "#ffffff"}
ABSENT = "absent"


def matrix_view(matrix: pl.DataFrame, labels: list[str]) -> pl.DataFrame:
    """The comparison as people read it: French column names, no empty cell left blank."""
    return matrix.select(
        pl.col("ue").alias("UE"),
        pl.col("module"),
        pl.col("module_name").fill_null("—").alias("intitulé"),
        pl.col("kind").alias("type"),
        *labels,
        "statut",
        pl.col("lignes").alias("lignes source"),
    )


def styled_matrix(view: pl.DataFrame, labels: list[str]) -> Any:
    """Pandas Styler: rows coloured by status, changed cells in bold, absent cells « absent »."""
    pdf = view.to_pandas()

    def row_style(row: pd.Series) -> list[str]:
        color = ROW_COLORS.get(row["statut"], "#ffffff")
        styles = []
        present = [row[lab] for lab in labels if pd.notna(row[lab])]
        for col in row.index:
            css = f"background-color: {color}"
            if col in labels:
                if pd.isna(row[col]):
                    css += "; color: #777777"
                elif (
                    row["statut"] == cmp.CHANGED
                    and len(set(present)) > 1
                    and row[col] != max(present, key=present.count)
                ):
                    css += "; font-weight: 700; color: #0b3d91"
            styles.append(css)
        return styles

    number = {lab: (lambda v: ABSENT if pd.isna(v) else fmt.number(float(v), 4)) for lab in labels}
    return pdf.style.apply(row_style, axis=1).format(number)


def module_comparison(
    matrix: pl.DataFrame, labels: list[str], contents: dict[str, pl.DataFrame], tables: pl.DataFrame
) -> None:
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
    only_diff = st.toggle("N'afficher que les différences", key="diff")
    shown = matrix.filter(pl.col("statut") != cmp.SAME) if only_diff else matrix
    view = matrix_view(shown, labels)
    event = st.dataframe(
        styled_matrix(view, labels),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * view.height, 560),
        on_select="rerun",
        selection_mode="single-row",
        key="cmp_grid",
        column_config={
            "intitulé": st.column_config.TextColumn(width="medium"),
            "lignes source": st.column_config.TextColumn(width="medium"),
        },
    )
    st.caption(
        "Fond orange : module absent d'au moins un parcours · fond bleu : coefficient "
        "modifié (valeur différente en gras) · blanc : identique. Les modules sont "
        "rapprochés par leur code imprimé. Cliquez sur une ligne pour voir ses valeurs dans "
        "les documents sources."
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        picked = shown.row(rows[0], named=True)
        with st.container(border=True):
            st.markdown(f"**Voir la source — {picked['ue']} · {picked['module']}**")
            found = source_view.values_of(
                contents["coefficients"],
                contents["ues"],
                tables,
                picked["competence"],
                picked["module"],
            )
            source_view.show_values(found)
    downloads.table_buttons(
        view, "comparaison-modules", "cmp_matrix", "Coefficients module par module"
    )


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
        pl.col("source").alias("fichier"),
        pl.col("source_line").alias("ligne"),
    )


def french_ue_table(table: pl.DataFrame) -> pl.DataFrame:
    """The UE table with its numbers as French text (« 41,25 % », « 8 », « — »). Formatted in
    Python lists, not with polars ``map_elements``: a Python function called from polars'
    threads deadlocks when several sessions render at once (seen under load)."""
    return table.with_columns(
        pl.Series("part SAÉ", [fmt.percent(v) for v in table["part SAÉ"].to_list()], pl.String),
        *[
            pl.Series(c, [fmt.number(v, 3) for v in table[c].to_list()], pl.String)
            for c in ("total des coefficients", "total imprimé", "ECTS")
        ],
    )


def ue_level(summary: pl.DataFrame, values: pl.DataFrame, key: str) -> None:
    table = ue_table(summary)
    st.dataframe(french_ue_table(table), hide_index=True, width="stretch")
    downloads.table_buttons(
        table, "comparaison-ue", f"{key}_ue", "Totaux, ECTS et part des SAÉ par UE", ["part SAÉ"]
    )
    downloads.chart(charts.ue_values_strip(values), "valeurs-par-ue", f"{key}_strip")
