"""Simulation de notes: grades per module (or SAÉ / ressources per UE in « mode simplifié »),
live UE averages, RCUEs and the year decision with its rule; a « Cohorte » tab; the « Règles »
panel."""

import streamlit as st

from butdata.grading import student as sim
from butdata.grading.rules import Rules
from ui import cohort_view, data, jury_panel, rules_panel, simulation_view, source_view, widgets
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

        simulation_view.render(spec, compute, parent=table_ids)


with page(
    "Simulation de notes",
    "Un semestre ou une année (impair + pair d'un parcours) : déplacez les curseurs, moyennes "
    "des UE, RCUE et décision se mettent à jour à droite.",
):
    c1, c2 = st.columns([2, 3])
    with c1:
        formation = widgets.formation_select()
    options = data.year_options(formation)
    with c2:
        table_ids = widgets.period_select(options, parent=formation)
    if table_ids is None:
        st.info(
            f"Aucun tableau de {formation} n'a de valeurs à simuler (tableaux vides dans les "
            "documents) : voir la Vue d'ensemble."
        )
        st.stop()
    inputs = data.simulation_input(table_ids)
    c_src, c_rules = st.columns([3, 2])  # side by side: the sliders start higher on a projector
    with c_src:
        provenance(inputs["tables"])
    with c_rules:
        rules = rules_panel.render()
    tab_sim, tab_cohort = st.tabs(["Simulation", "Cohorte"], key="onglet", bind="query-params")
    with tab_sim:
        if tab_sim.open is not False:
            if not inputs["spec"]["codes"]:
                st.warning(
                    "Ce choix n'a aucun module à noter (tableau vide ou sans part SAÉ connue)."
                )
            simulation(table_ids, inputs, rules)
            source_view.ue_picker(table_ids)
    with tab_cohort:
        if tab_cohort.open:
            with guard("la cohorte"):
                cohort_view.render(table_ids, rules, formation)
