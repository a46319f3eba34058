"""Comparer les parcours: module × UE coefficients of 2+ tables side by side."""

import streamlit as st

from butdata.analysis import compare as cmp
from ui import compare, downloads, widgets
from ui.format import provenance
from ui.layout import page
from ui.tables import show_table

with page(
    "Comparer les parcours",
    "Une formation, un semestre, deux parcours ou plus (d'un même document ou de documents "
    "différents) : les coefficients de chaque module dans chaque UE, côte à côte.",
):
    tables = widgets.semester_tables(need=2)
    formation, semester = tables["formation"].first(), tables["semester"].first()
    ids = widgets.tables_pills(tables, parent=(formation, semester))
    if len(ids) < 2:
        st.info(
            "Choisissez au moins deux tableaux à comparer."
            + (
                ""
                if tables.height >= 2
                else " Ce semestre n'a qu'un tableau pour ce choix : choisissez « tous les "
                "documents » ou un autre semestre."
            )
        )
        st.stop()

    v = compare.view(ids)
    t = v["contents"]["tables"]
    provenance(t)
    empty = compare.empty_tables(t)
    if len(empty) == t.height:
        docs = ", ".join(sorted({doc for doc, _ in empty}))
        st.warning(
            f"Ces tableaux sont vides dans le document ({docs}) : le titre y est imprimé mais "
            "aucune ligne de coefficients n'a survécu à l'extraction. Voir la Vue d'ensemble "
            "pour les tableaux qui ont des valeurs."
        )
        st.stop()
    if empty:
        st.warning(
            "Sans valeurs (titre seul dans le document) : " + ", ".join(label for _, label in empty)
        )

    st.subheader("Coefficients module par module")
    others = v["others"]
    if others.height:
        st.info(
            "Comparaison par UE seulement pour : "
            + ", ".join(others["label"].to_list())
            + " — "
            + cmp.UNATTRIBUTED_REASON
            + " (ou le tableau est partiel). Leurs valeurs sont comparées plus bas."
        )
    if "matrix" in v:
        compare.module_comparison(v)
        st.subheader("Carte des coefficients")
        downloads.chart(v["heatmap"], "carte-coefficients", "cmp_heat")
    else:
        st.info(
            "Il faut au moins deux tableaux dont chaque valeur est rattachée à un module pour la "
            "comparaison module par module."
        )

    st.subheader("Totaux, ECTS et part des SAÉ par UE")
    st.caption("Les UE sont rapprochées par compétence (UE31 du semestre 3 = compétence 1).")
    compare.ue_level(v, "cmp")

    w = compare.warnings_shown(ids)
    if w.height:
        with st.expander(f"Avertissements de lecture de ces tableaux ({w.height})"):
            show_table(w, hide_index=True, width="stretch")
