"""Simulation de notes: grades per module (or SAÉ / ressources per UE in « mode simplifié »),
live UE averages, RCUEs and the year decision with its rule."""

import polars as pl
import streamlit as st

from butdata.grading import student as sim
from butdata.grading.rules import DEFAULT_RULES, Rules
from ui import data, simulation_view, widgets
from ui.format import provenance
from ui.layout import guard, page


@st.fragment
def simulation(table_ids: tuple[str, ...], inputs: dict) -> None:
    """Only this part reruns when a slider moves."""
    with guard("la simulation"):
        spec = inputs["spec"]

        def compute(grades: dict[str, float]) -> dict:
            result = sim.simulate_prepared(inputs["prepared"], grades)
            return simulation_view.to_view(result, spec)

        simulation_view.render(spec, compute, parent=table_ids)


with page(
    "Simulation de notes",
    "Un semestre ou une année (semestre impair + semestre pair d'un parcours) : déplacez les "
    "curseurs, les moyennes des UE, les RCUE et la décision se mettent à jour à droite.",
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
    provenance(inputs["tables"])
    if not inputs["spec"]["codes"]:
        st.warning("Ce choix n'a aucun module à noter (tableau vide ou sans part SAÉ connue).")
    simulation(table_ids, inputs)
    with st.expander("Règles appliquées (valeurs publiées)"):
        st.dataframe(
            pl.DataFrame(
                [
                    {
                        "réglage": d["label"],
                        "valeur": str(getattr(DEFAULT_RULES, d["name"])),
                        "source": d["source"],
                    }
                    for d in Rules.describe()
                ]
            ),
            hide_index=True,
            width="stretch",
        )
