"""« Règles » panel: every setting of :class:`butdata.grading.rules.Rules` editable, bound to the
URL (a pasted link reopens the same rules), marked « réglage local » when it differs from the
published value, with a « valeurs publiées » reset. Returns the one Rules object the page's
simulation and cohorts use."""

from __future__ import annotations

import functools
from typing import Any

import polars as pl
import streamlit as st

from butdata import fmt
from butdata.grading.rules import DEFAULT_RULES, SCODOC, STRICT, TOLERANCE_LABELS, Rules

from .tables import show_table

BOUND: dict[str, Any] = {"bind": "query-params"}
# widget key (= URL parameter) -> (Rules field, index in a tuple field or None)
KEYS = {
    "r_seuil": ("pass_mark", None),
    "r_plancher": ("rcue_floor", None),
    "r_poids_impair": ("rcue_weights", 0),
    "r_poids_pair": ("rcue_weights", 1),
    "r_tolerance": ("tolerance", None),
    "r_pasd": ("pasd_min_fraction", None),
    "r_bonus": ("bonus", None),
}
LOCAL = "réglage local"
# what the selector (and the URL) says -> Rules.tolerance
TOLERANCE_NAMES = {"ScoDoc": SCODOC, "stricte": STRICT}


def published(key: str) -> Any:
    name, index = KEYS[key]
    value = getattr(DEFAULT_RULES, name)
    if name == "tolerance":
        return next(n for n, t in TOLERANCE_NAMES.items() if t == value)
    return value if index is None else value[index]


def reset() -> None:
    """Every setting back to its published value (they then leave the URL)."""
    for key in KEYS:
        st.session_state[key] = published(key)


def _value(x: Any) -> str:
    if isinstance(x, tuple):
        return " / ".join(fmt.number(v) for v in x)
    if isinstance(x, float):
        return fmt.number(x)
    return TOLERANCE_LABELS.get(x, str(x))


def render() -> Rules:
    """The panel (an expander) and the rules it sets. Invalid combinations (a floor above the
    pass mark…) are refused with a French message, the published values then apply."""
    # (the expander's title cannot say « réglage local »: a bound widget only knows its URL value
    # once drawn; the caption under the panel says it, on every run)
    with st.expander("Règles (seuils, tolérance, poids, bonus)", expanded=False):
        c1, c2, c3, c4 = st.columns(4)
        mark = c1.number_input(
            "Note de validation (UE, RCUE)",
            0.0,
            20.0,
            published("r_seuil"),
            0.5,
            key="r_seuil",
            help="Une UE ou un RCUE est validé à partir de cette moyenne (10 : arrêté).",
            **BOUND,
        )
        floor = c2.number_input(
            "Plancher d'un RCUE (passage de droit)",
            0.0,
            20.0,
            published("r_plancher"),
            0.5,
            key="r_plancher",
            help="Aucun RCUE sous ce seuil pour le passage de droit (8 : arrêté).",
            **BOUND,
        )
        w1 = c3.number_input(
            "Poids de l'UE impaire dans le RCUE",
            0.0,
            10.0,
            published("r_poids_impair"),
            0.5,
            key="r_poids_impair",
            **BOUND,
        )
        w2 = c4.number_input(
            "Poids de l'UE paire dans le RCUE",
            0.0,
            10.0,
            published("r_poids_pair"),
            0.5,
            key="r_poids_pair",
            **BOUND,
        )
        c5, c6, c7 = st.columns([2, 1, 1])
        tolerance_name = c5.selectbox(
            "Tolérance d'arrondi",
            list(TOLERANCE_NAMES),
            key="r_tolerance",
            help=" ; ".join(f"{n} : {TOLERANCE_LABELS[t]}" for n, t in TOLERANCE_NAMES.items()),
            **BOUND,
        )
        tolerance = TOLERANCE_NAMES[str(tolerance_name)]
        fraction = c6.number_input(
            "Part des RCUE à dépasser (PASD)",
            0.0,
            0.95,
            published("r_pasd"),
            0.05,
            key="r_pasd",
            help="Passage de droit : plus de cette part des RCUE ≥ la note de validation "
            "(0,5 : « plus de la moitié »).",
            **BOUND,
        )
        bonus = c7.number_input(
            "Bonus sur chaque UE (malus < 0)",
            -5.0,
            5.0,
            published("r_bonus"),
            0.1,
            key="r_bonus",
            help="Points ajoutés à chaque moyenne d'UE, qui reste entre 0 et 20 (bonus sport, "
            "culture… selon la formule de l'IUT).",
            **BOUND,
        )
        st.button(
            "Revenir aux valeurs publiées",
            on_click=reset,
            key="r_reset",
            help="Tous les réglages reprennent les valeurs publiées (arrêté, ScoDoc).",
        )
        try:
            rules = Rules(
                pass_mark=float(mark),
                rcue_floor=float(floor),
                rcue_weights=(float(w1), float(w2)),
                pasd_min_fraction=float(fraction),
                tolerance=str(tolerance),
                bonus=float(bonus),
            )
        except ValueError:
            st.error(
                "Réglage impossible (plancher au-dessus de la note de validation, ou deux poids "
                "nuls) : les valeurs publiées s'appliquent."
            )
            rules = DEFAULT_RULES
        if rules.changed():
            listed = ", ".join(
                f"{_label(n)} {_value(getattr(rules, n))} (publié : {_value(getattr(DEFAULT_RULES, n))})"
                for n in rules.changed()
            )
            st.warning(f"**{LOCAL.capitalize()}** : {listed}.")
        show_table(describe(rules), hide_index=True, width="stretch")
    if rules.changed():
        st.caption(
            f"Règles : **{LOCAL}** ({len(rules.changed())} réglage(s) modifié(s), voir « Règles »)."
        )
    else:
        st.caption("Règles : valeurs publiées (arrêté du B.U.T., tolérance ScoDoc).")
    return rules


def _label(name: str) -> str:
    return next(d["label"] for d in Rules.describe() if d["name"] == name).lower()


@functools.lru_cache(maxsize=64)  # redrawn on every slider move: built once per set of rules
def describe(rules: Rules) -> pl.DataFrame:
    """Settings in force, published values and sources (French)."""
    return pl.DataFrame(
        [
            {
                "réglage": d["label"],
                "valeur": _value(getattr(rules, d["name"])),
                "valeur publiée": _value(d["default"]),
                "statut": LOCAL if getattr(rules, d["name"]) != d["default"] else "publié",
                "source": d["source"],
            }
            for d in Rules.describe()
        ]
    )
