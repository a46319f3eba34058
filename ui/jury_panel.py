"""The student's record beside the grades: capitalised UEs, bonus per UE, the jury's decisions
(ADJ on a UE or an RCUE, AJ on an RCUE, a year code) and, in BUT2, whether every BUT1 UE is
validated. Returns the :class:`butdata.grading.student.JuryInputs` of the simulation; the results
then show what the rules alone give and what the jury chose."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import streamlit as st

from butdata import fmt
from butdata.grading import jury
from butdata.grading import student as sim
from butdata.vocab import JURY_LABELS

from .widgets import cell_number

BUT1 = {"inconnu": None, "oui": True, "non": False}
NO_CODE = "—"


@functools.lru_cache(maxsize=256)
def _record_frame(ues: tuple[str, ...]) -> pd.DataFrame:
    """The empty record of these UEs, as pandas: Streamlit edits any frame as pandas (a polars
    or Arrow one is converted on every rerun, ≈ 2-5 ms); ``st.data_editor`` works on a copy,
    the edits live in the widget's state, never in this shared frame."""
    return pl.DataFrame(
        {
            "UE": list(ues),
            "moyenne capitalisée": [None] * len(ues),
            "bonus": [0.0] * len(ues),
            "ADJ (jury)": [False] * len(ues),
        },
        schema={
            "UE": pl.String,
            "moyenne capitalisée": pl.Float64,
            "bonus": pl.Float64,
            "ADJ (jury)": pl.Boolean,
        },
    ).to_pandas()


def _ticked(x: Any) -> bool:
    """A ticked box of the edited table (pandas gives numpy booleans; NaN, None: not ticked)."""
    return isinstance(x, (bool, np.bool_)) and bool(x)


def render(spec: Mapping[str, Any]) -> sim.JuryInputs:
    """An expander with the record's inputs (none given: the rules alone)."""
    year = spec.get("year")
    ues = spec.get("ues") or []
    with st.expander("Dossier de l'étudiant : UE capitalisées, bonus, décisions du jury"):
        but1 = None
        if year == 2:
            choice = st.radio(
                "UE du BUT1 toutes validées ? (entrée en BUT3)",
                list(BUT1),
                key="j_but1",
                horizontal=True,
                help="Sans cette condition, pas de passage de droit en BUT3 ; « inconnu » : le "
                "passage de droit est donné sous réserve.",
                bind="query-params",
            )
            but1 = BUT1[str(choice)]
        st.caption(
            "Moyenne capitalisée : celle d'une UE validée antérieurement, gardée si elle est "
            "meilleure. Bonus : points ajoutés à la moyenne de l'UE (malus négatif), qui reste "
            "entre 0 et 20."
        )
        edited = st.data_editor(
            _record_frame(tuple(u["ue"] for u in ues)),
            key="j_ues",
            hide_index=True,
            placeholder=fmt.MISSING,  # an empty cell reads « — », not « None »
            disabled=["UE"],
            width="stretch",
        )
        comps = (
            sorted({u["competence"] for u in ues}) if len(spec.get("semesters", [])) == 2 else []
        )
        rcue_jury: dict[int, str] = {}
        if comps:
            cols = st.columns(min(len(comps), 6))
            for i, comp in enumerate(comps):
                code = cols[i % len(cols)].selectbox(
                    f"RCUE {comp} : décision du jury",
                    [NO_CODE, *jury.RCUE_JURY_CODES],
                    key=f"j_rcue_{comp}",
                    format_func=lambda c: c if c == NO_CODE else f"{c} — {JURY_LABELS[c]}",
                )
                if code != NO_CODE:
                    rcue_jury[comp] = str(code)
        year_code = NO_CODE
        if comps:
            year_code = st.selectbox(
                "Décision du jury pour l'année",
                [NO_CODE, *jury.YEAR_JURY_CODES],
                key="j_annee",
                format_func=lambda c: c if c == NO_CODE else f"{c} — {JURY_LABELS.get(c, '')}",
                placeholder="Choisir…",
            )
    rows = edited.to_dict("records")  # a pandas frame back (polars' copy cost ≈ 1 ms a rerun)
    capitalised = {
        r["UE"]: v for r in rows if (v := cell_number(r.get("moyenne capitalisée"))) is not None
    }
    bonus = {r["UE"]: v for r in rows if (v := cell_number(r.get("bonus"))) not in (None, 0.0)}
    ue_jury = {r["UE"]: "ADJ" for r in rows if _ticked(r.get("ADJ (jury)"))}
    bad = [ue for ue, v in capitalised.items() if not 0 <= v <= 20]
    if bad:
        st.error(f"Moyenne capitalisée hors de 0-20 pour {', '.join(bad)} : ignorée.")
        capitalised = {k: v for k, v in capitalised.items() if k not in bad}
    return sim.JuryInputs(
        capitalised=capitalised,
        bonus={k: float(v) for k, v in bonus.items() if v is not None},
        ue_jury=ue_jury,
        rcue_jury=rcue_jury,
        year_jury=None if year_code == NO_CODE else str(year_code),
        but1_validated=but1,
    )
