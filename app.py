"""butdata — home page « Vue d'ensemble »: what the store holds and how reliable it is.

Navigation: plain ``pages/`` auto-discovery (every file of ``pages/`` is a page, deep links such
as ``/Simulation_de_notes?...`` open directly) plus French links in the sidebar (ui.layout)."""

import streamlit as st

from ui import conformity_view, overview
from ui.layout import page

with page(
    "Vue d'ensemble",
    "Ce que contient la base : chaque tableau de coefficients (formation × semestre × parcours) "
    "de chaque document source, et ce qu'il permet.",
):
    overview.headline()
    overview.table_map()
    docs, everything, warnings, conformity = st.tabs(
        ["Documents sources", "Tous les tableaux", "Avertissements de lecture", "Conformité"]
    )
    with docs:
        overview.documents()
    with everything:
        overview.all_tables()
    with warnings:
        overview.warnings_table()
    with conformity:
        conformity_view.view()
