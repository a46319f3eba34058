"""Pieces of the home page « Vue d'ensemble »: what the store holds and what each table allows."""

from __future__ import annotations

import polars as pl
import streamlit as st

from butdata import fmt, overview_map
from butdata.vocab import (
    RELIABILITIES,
    RELIABILITY_HELP,
    RELIABILITY_LABELS,
)

from . import data, downloads, printing
from .format import RELIABILITY_LEGEND, warning_columns
from .tables import show_table


def headline() -> None:
    """Counts of the store, then tables by what they allow (colours of the map)."""
    n = data.counts()
    cols = st.columns(5)
    cols[0].metric("Documents", fmt.integer(n["documents"]))
    cols[1].metric("Formations", fmt.integer(n["formations"]))
    cols[2].metric("Tableaux", fmt.integer(n["tableaux"]))
    cols[3].metric(
        "Coefficients",
        fmt.integer(n["coefficients"]),
        help=f"dont {fmt.integer(n['non_attribues'])} non attribuables à un module",
    )
    cols[4].metric("Avertissements", fmt.integer(n["avertissements"]))
    cols = st.columns(4)
    for col, r in zip(cols, RELIABILITIES):
        label = RELIABILITY_LABELS[r]
        col.metric(label[0].upper() + label[1:], fmt.integer(n[r]), help=RELIABILITY_HELP[r])
    if n["non_attribues"]:
        st.info(
            f"{fmt.integer(n['non_attribues'])} coefficients sur {fmt.integer(n['coefficients'])} "
            "ne sont pas attribuables à un module (tableaux en grille abîmés par l'extraction "
            "du PDF) : ces tableaux se comparent UE par UE et se simulent en mode simplifié.",
            icon=":material/info:",
        )


@data.shared
def _map(key: str):
    # imported here: the house template built at its import (≈ 0,1 s) is not needed before the
    # page is printed or the chart downloaded
    from butdata import charts

    return charts.overview_map(data.overview())


@data.shared
def _map_html(key: str) -> str:
    return overview_map.map_html(data.overview())


MAP_TITLE = "Tableaux par formation"


def table_map() -> None:
    """The map as HTML (no chart library for the first page); its plotly figure is built only
    for the print and the download."""
    st.subheader("Tableaux par formation et semestre")
    st.caption(
        "Un carré = un tableau (un parcours d'un semestre), coloré selon ce qu'il permet. "
        "Survolez un carré (ou atteignez-le avec Tab) pour son titre, ses compteurs et sa ligne "
        "dans le document source."
    )
    key = data.store_key()
    st.markdown(_map_html(key), unsafe_allow_html=True)
    printing.note_figure(lambda: _map(key), MAP_TITLE)
    downloads.chart_button(lambda: _map(key), "vue-ensemble", "home_map_html")
    st.caption(RELIABILITY_LEGEND)


@data.shared
def _documents(key: str) -> pl.DataFrame:
    return data.sources().select(
        pl.col("document"),
        pl.col("year").fill_null("non imprimée").alias("année"),
        pl.col("source").alias("fichier"),
        pl.col("n_tables").alias("tableaux"),
        *[pl.col(r).alias(RELIABILITY_LABELS[r]) for r in RELIABILITIES],
        pl.col("n_warnings").alias("avertissements"),
    )


def documents() -> None:
    shown = _documents(data.store_key())
    show_table(shown, hide_index=True, width="stretch")
    downloads.table_buttons(shown, "documents", "home_docs", "Documents sources")


@data.shared
def _all_tables(key: str) -> pl.DataFrame:
    return data.overview().select(
        pl.col("formation"),
        pl.col("semester").alias("semestre"),
        pl.col("parcours_fr").alias("parcours"),
        pl.col("doc").alias("document"),
        pl.col("fiabilite").alias("ce que permet le tableau"),
        pl.col("n_ue").alias("UE"),
        pl.col("n_coefficients").alias("coefficients"),
        pl.col("n_unattributed").alias("non attribuables"),
        pl.col("n_warnings").alias("avertissements"),
        pl.col("source").alias("fichier"),
        pl.col("source_line").alias("ligne"),
        pl.col("title").alias("titre"),
    )


def all_tables() -> None:
    shown = _all_tables(data.store_key())
    show_table(shown, hide_index=True, width="stretch", height=420)
    downloads.table_buttons(shown, "tableaux", "home_tables", "Tous les tableaux")


@data.shared
def _warnings(key: str) -> pl.DataFrame:
    return data.warnings().select(
        pl.col("source").alias("fichier"),
        *warning_columns(),
        pl.col("formation").fill_null("—"),
        pl.col("semester").alias("semestre"),
        pl.col("parcours").fill_null("—"),
    )


def warnings_table() -> None:
    w = _warnings(data.store_key())
    st.caption(
        "Ce que la lecture des documents a signalé : totaux qui ne tombent pas juste, "
        "codes de modules écrits différemment, tableaux sous un mauvais titre…"
    )
    show_table(
        w,
        hide_index=True,
        width="stretch",
        height=420,
        column_config={"message": st.column_config.TextColumn(width="large")},
    )
    downloads.table_buttons(w, "avertissements", "home_warn", "Avertissements de lecture")
