"""Comparer les parcours: module × UE coefficients of 2+ tables side by side."""

import polars as pl
import streamlit as st

from butdata import charts
from butdata.analysis import compare as cmp
from ui import compare, data, downloads, widgets
from ui.format import provenance
from ui.layout import page

with page(
    "Comparer les parcours",
    "Choisissez une formation, un semestre puis au moins deux parcours (d'un même document "
    "ou de documents différents) : les coefficients de chaque module dans chaque UE, côte à côte.",
):
    tables = widgets.semester_tables()
    ids = widgets.tables_multiselect(tables)
    if len(ids) < 2:
        st.info(
            "Choisissez au moins deux parcours à comparer."
            + (
                ""
                if tables.height >= 2
                else " Ce semestre n'a qu'un tableau pour ce choix : "
                "essayez « tous » les documents ou un autre semestre."
            )
        )
        st.stop()

    c = data.contents(ids)
    t = c["tables"]
    provenance(t)
    labels = t["label"].to_list()
    summary = cmp.ue_summary(c["coefficients"], c["ues"], t)
    values = cmp.value_distribution(c["coefficients"], t)
    unattributable = t.filter(
        pl.col("table_id").is_in(
            c["coefficients"].filter(pl.col("module_code").is_null())["table_id"].unique().implode()
        )
    )

    st.subheader("Coefficients module par module")
    if unattributable.height:
        st.warning(
            "Comparaison au niveau des UE seulement pour : "
            + ", ".join(unattributable["label"].to_list())
            + " — "
            + cmp.UNATTRIBUTED_REASON
            + ". Leurs valeurs sont comparées plus bas (totaux, ECTS, part SAÉ, "
            "répartition des valeurs)."
        )
    attributable_ids = [i for i in ids if i not in unattributable["table_id"].to_list()]
    if len(attributable_ids) >= 2:
        sub = t.filter(pl.col("table_id").is_in(attributable_ids))
        matrix = cmp.compare_modules(c["coefficients"], sub)
        sub_labels = sub["label"].to_list()
        compare.module_comparison(matrix, sub_labels)
        st.subheader("Carte des coefficients")
        fig = charts.compare_heatmap(matrix, sub_labels)
        downloads.chart(fig, "carte-coefficients", "cmp_heat")
    elif unattributable.height:
        st.info(
            "Il faut au moins deux parcours dont les valeurs sont attribuables à un module "
            "pour la comparaison module par module."
        )

    st.subheader("Totaux, ECTS et part des SAÉ par UE")
    st.caption("Les UE sont rapprochées par compétence (UE31 du semestre 3 = compétence 1).")
    compare.ue_level(summary, values, "cmp")

    w = data.warnings_of(ids)
    if w.height:
        with st.expander(f"Avertissements de lecture de ces tableaux ({w.height})"):
            st.dataframe(
                w.select("source", pl.col("source_line").alias("ligne"), "code", "message"),
                hide_index=True,
                width="stretch",
            )
