"""Streamlit's floor for the simulation page: the same widgets and figures, constant data.

Renders what ``pages/3_Simulation_de_notes.py`` renders - page config, title, sidebar text, the
formation and period select boxes, the provenance caption, the preset buttons and one grade
slider per module, the UE/RCUE cards, decision and chart (all through
``ui.simulation_view.render``, given a constant result), the rules table - from a JSON file written by
``benchmarks/bench_slider.py`` (path in ``$BUTDATA_FLOOR_DATA``). No store access and no
computation: the results shown are the same constant view whatever the sliders say, so a rerun
costs only Streamlit's own work. (The sidebar's page links are plain text here: a lone script
has no pages to link to.)
"""

import json
import os

import polars as pl
import streamlit as st

from ui import simulation_view


@st.cache_resource
def _data(path: str) -> dict:
    with open(path, encoding="utf-8") as fh:
        return json.load(fh)


D = _data(os.environ["BUTDATA_FLOOR_DATA"])


@st.fragment
def simulation() -> None:
    # the page's own layout function with a constant result: same widgets, cards and figure
    simulation_view.render(D["spec"], lambda grades: D["view"])


st.set_page_config(page_title="Simulation de notes — butdata", page_icon="📊", layout="wide")
with st.sidebar:
    st.markdown("### butdata · coefficients des B.U.T.")
    for label in D["nav"]:
        st.markdown(label)
    st.caption(D["nav_caption"])
st.title("Simulation de notes")
st.caption(D["intro"])
c1, c2 = st.columns([1, 3])
with c1:
    code = st.selectbox(
        "Formation",
        D["formations"],
        index=D["formation_index"],
        key="formation",
        bind="query-params",
        persist_state="session",
    )
    st.caption(D["formation_name"])
with c2:
    st.selectbox(
        "Semestre ou année",
        D["labels"],
        index=D["label_index"],
        key="periode",
        bind="query-params",
        persist_state="session",
    )
st.caption(D["provenance"])
simulation()
with st.expander("Règles appliquées (valeurs publiées, modifiables dans butdata.grading.rules)"):
    st.dataframe(pl.DataFrame(D["rules"]), hide_index=True, width="stretch")
