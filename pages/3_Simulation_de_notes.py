"""Simulation de notes: grades per module (or SAÉ / ressources per UE in simplified mode), live UE
averages, RCUEs and the year decision with its rule; a « Cohorte » tab; the « Règles » panel."""

import polars as pl
import streamlit as st

from butdata.grading import student as sim
from butdata.grading.rules import Rules
from ui import cohort_view, data, jury_panel, rules_panel, simulation_view, widgets
from ui.format import provenance
from ui.layout import guard, page


@st.fragment
def simulation(table_ids: tuple[str, ...], inputs: dict, rules: Rules) -> None:
    """Only this part reruns when a slider moves."""
    with guard("la simulation"):
        spec = inputs["spec"]
        record = jury_panel.render(spec)

        def compute(grades: dict[str, float]) -> dict:
            result = sim.simulate_prepared(inputs["prepared"], grades, rules, record)
            return simulation_view.to_view(result, spec)

        simulation_view.render(spec, compute)


with page(
    "Simulation de notes",
    "Choisissez un semestre ou une année (semestre impair + semestre pair d'un parcours), "
    "puis déplacez les curseurs : moyennes des UE, RCUE et décision se mettent à jour.",
):
    c1, c2 = st.columns([1, 3])
    with c1:
        formation = widgets.formation_select()
    options = data.year_options(formation)
    if options.height == 0:
        st.info("Aucun tableau simulable pour cette formation.")
        st.stop()
    labels = options["label"].to_list()
    years = options.filter(pl.col("kind") == "année")["label"].to_list()
    default = labels.index(years[0]) if years else 0
    with c2:
        choice = st.selectbox(
            "Semestre ou année",
            labels,
            index=default,
            key="periode",
            help="Une année = le semestre impair et le semestre pair suivant du "
            "même parcours : elle donne les RCUE et la décision annuelle.",
            **widgets.BOUND,
        )
    table_ids = tuple(options.filter(pl.col("label") == choice)["table_ids"][0].to_list())
    inputs = data.simulation_input(table_ids)
    provenance(inputs["tables"])
    rules = rules_panel.render()
    tab_sim, tab_cohort = st.tabs(["Simulation", "Cohorte"], key="onglet", bind="query-params")
    with tab_sim:
        if tab_sim.open is not False:
            if not inputs["spec"]["codes"]:
                st.warning(
                    "Ce choix n'a aucun module à noter (tableau vide ou sans part SAÉ connue)."
                )
            simulation(table_ids, inputs, rules)
    with tab_cohort:
        if tab_cohort.open:
            with guard("la cohorte"):
                cohort_view.render(table_ids, rules, formation)
