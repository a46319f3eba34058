"""The « Conformité » view of the home page: the conformity checks of
:mod:`butdata.analysis.conformity` on every stored table (the same findings as
``python -m butdata conformity``), counts by table and by rule, every finding in French with
its file and line, and the rule set with its sources and settings."""

from __future__ import annotations

from typing import Any

import streamlit as st

from butdata import fmt
from butdata.analysis import queries as q
from butdata.analysis.conformity import Finding, check_frames
from butdata.analysis.conformity_report import (
    by_rule,
    by_table,
    counts,
    findings_table,
    rules_table,
    summary,
)
from butdata.analysis.years import year_pairs
from butdata.labels import table_label

from . import data, downloads
from .store import cursor
from .tables import show_table


@st.cache_data(show_spinner=False, max_entries=8, ttl=3600)
def _findings(key: str) -> list[Finding]:
    cur = cursor()
    listing = q.overview_tables(cur)
    ids = listing["table_id"].to_list()
    return check_frames(q.table_frames(cur, ids), years=year_pairs(listing))


@data.shared
def _view(key: str) -> dict[str, Any]:
    """Everything the view shows, built once per store file."""
    tables = data.overview()
    found = _findings(key)
    labels = {r["table_id"]: table_label(r, formation=True) for r in tables.iter_rows(named=True)}
    sources = dict(zip(tables["table_id"].to_list(), tables["source"].to_list()))
    return {
        "n": counts(found),
        "caption": (
            f"Règles de conformité sur les {fmt.integer(tables.height)} tableaux de la base : "
            f"{summary(found)}. Une lecture incomplète n'est jamais comptée comme une entorse : "
            "ce qui n'a pas pu être vérifié est une information « non vérifié »."
        ),
        "per_table": by_table(found, labels),
        "every": findings_table(found, labels, sources),
        "by_rule": by_rule(found),
        "rules": rules_table(),
    }


def view() -> None:
    v = _view(data.store_key())
    n, every = v["n"], v["every"]
    st.caption(v["caption"])
    cols = st.columns(3)
    cols[0].metric("Erreurs de conformité", fmt.integer(n["error"]))
    cols[1].metric("Avertissements de conformité", fmt.integer(n["warning"]))
    cols[2].metric("Informations de conformité", fmt.integer(n["info"]))
    show_table(v["per_table"], hide_index=True, width="stretch", height=260)
    with st.expander(f"Toutes les remarques ({fmt.integer(every.height)})"):
        show_table(every, hide_index=True, width="stretch", height=420)
        downloads.table_buttons(every, "conformite", "home_conf", "Conformité des tableaux")
    with st.expander("Par règle"):
        show_table(v["by_rule"], hide_index=True, width="stretch")
    with st.expander("Les règles : ce qui est vérifié, source, réglages"):
        show_table(v["rules"], hide_index=True, width="stretch")
