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
    charts=False,  # the map is HTML: a fresh server's first page loads no plotly.js
):
    overview.headline()
    overview.table_map()
    # Only the open tab is drawn (each opens with a rerun): the first page shows sooner and the
    # conformity checks of every table run when someone asks for them. In the URL: ?rubrique=…
    docs, everything, warnings, conformity = st.tabs(
        ["Documents sources", "Tous les tableaux", "Avertissements de lecture", "Conformité"],
        key="rubrique",  # « onglet » is the Simulation page's: one key per page's tabs
        on_change="rerun",
        bind="query-params",
    )
    with docs:
        if docs.open is not False:
            overview.documents()
    with everything:
        if everything.open:
            overview.all_tables()
    with warnings:
        if warnings.open:
            overview.warnings_table()
    with conformity:
        if conformity.open:
            conformity_view.view()
