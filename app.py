"""butdata — home page « Vue d'ensemble »: what the store holds and how reliable it is.

Navigation: plain ``pages/`` auto-discovery (every file of ``pages/`` is a page, deep links such
as ``/Simulation_de_notes?...`` open directly) plus French links in the sidebar (ui.layout)."""

import polars as pl
import streamlit as st

from butdata import charts
from ui import data, downloads
from ui.format import STATUS_HELP
from ui.layout import page

with page(
    "Vue d'ensemble",
    "Ce que contient la base : chaque tableau de coefficients (formation × semestre × "
    "parcours) de chaque document source, et sa fiabilité.",
):
    n = data.counts()
    cols = st.columns(8)
    cols[0].metric("Documents", n["documents"])
    cols[1].metric("Formations", n["formations"])
    cols[2].metric("Tableaux", n["tableaux"])
    cols[3].metric("Complets", n["complets"], help="tableau lu en entier, totaux vérifiés")
    cols[4].metric(
        "Partiels", n["partiels"], help="des valeurs manquent ou n'ont pas pu être vérifiées"
    )
    cols[5].metric("Vides", n["vides"], help="titre présent, aucune ligne exploitable")
    cols[6].metric(
        "Coefficients",
        n["coefficients"],
        help=f"dont {n['non_attribues']} non attribuables à un module",
    )
    cols[7].metric("Avertissements", n["avertissements"])
    if n["non_attribues"]:
        st.info(
            f"{n['non_attribues']} coefficients sur {n['coefficients']} sont des valeurs non "
            "attribuables à un module (tableaux en grille abîmés par l'extraction du PDF) : "
            "ces tableaux se comparent au niveau des UE et se simulent en mode simplifié."
        )

    ov = data.overview()
    st.subheader("Tableaux par formation et semestre")
    st.caption(
        "Un carré = un tableau (un parcours d'un semestre). Vert : complet · orange : "
        "partiel · gris : vide. Survolez un carré pour son titre, ses compteurs et sa "
        "ligne dans le document source."
    )
    fig = charts.overview_map(ov)
    downloads.chart(fig, "vue-ensemble", "home_map")
    st.caption(STATUS_HELP)

    st.subheader("Par document source")
    st.dataframe(
        data.sources(),
        hide_index=True,
        width="stretch",
        column_config={
            "source": "document",
            "layout": "mise en page",
            "n_lines": "lignes",
            "n_tables": "tableaux",
        },
    )

    tab_t, tab_w = st.tabs(["Tous les tableaux", "Avertissements de lecture"])
    with tab_t:
        shown = ov.select(
            pl.col("formation"),
            pl.col("semester").alias("semestre"),
            pl.col("parcours_fr").alias("parcours"),
            pl.col("doc").alias("document"),
            "statut",
            pl.col("n_ue").alias("UE"),
            pl.col("n_coefficients").alias("coefficients"),
            pl.col("n_unattributed").alias("non attribuables"),
            pl.col("n_warnings").alias("avertissements"),
            pl.col("source"),
            pl.col("source_line").alias("ligne"),
            pl.col("title").alias("titre"),
        )
        st.dataframe(shown, hide_index=True, width="stretch", height=420)
        downloads.table_buttons(shown, "tableaux", "home_tables")
    with tab_w:
        w = data.warnings().select(
            "source",
            pl.col("source_line").alias("ligne"),
            pl.col("severity").alias("gravité"),
            "code",
            "message",
            "formation",
            pl.col("semester").alias("semestre"),
            "parcours",
        )
        st.caption(
            "Ce que la lecture des documents a signalé : totaux qui ne tombent pas juste, "
            "codes de modules écrits différemment, tableaux sous un mauvais titre…"
        )
        st.dataframe(
            w,
            hide_index=True,
            width="stretch",
            height=420,
            column_config={"message": st.column_config.TextColumn(width="large")},
        )
        downloads.table_buttons(w, "avertissements", "home_warn")
