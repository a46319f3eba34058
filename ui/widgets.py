"""Selectors shared by the pages. Every selector is keyed and bound to the URL
(``bind="query-params"``: the key is the parameter name) and kept for the session, so that a
pasted link reopens the same view and switching pages keeps the choices."""

from __future__ import annotations

import polars as pl
import streamlit as st

from . import data

BOUND = {"bind": "query-params", "persist_state": "session"}
ALL_DOCS = "tous"


def formation_select(key: str = "formation") -> str:
    f = data.formations()
    codes = f["formation"].to_list()
    if not codes:
        st.info("La base ne contient encore aucune formation : ajoutez des documents sources.")
        st.stop()
    names = dict(zip(codes, f["formation_name"].to_list()))
    index = codes.index("QLIO") if "QLIO" in codes else 0
    code = st.selectbox(
        "Formation",
        codes,
        index=index,
        key=key,
        help="Sigle national de la spécialité de B.U.T.",
        **BOUND,
    )
    st.caption(names.get(code) or "")
    return code


def semester_select(formation: str, key: str = "semestre") -> int:
    sems = sorted({s for s in data.tables_of(formation)["semester"].to_list() if s is not None})
    if not sems:
        st.info("Aucun semestre identifié pour cette formation.")
        st.stop()
    index = sems.index(3) if 3 in sems else 0
    return st.selectbox(
        "Semestre", sems, index=index, format_func=lambda s: f"S{s}", key=key, **BOUND
    )


def doc_select(tables: pl.DataFrame, key: str = "document") -> str:
    """Document (and site) filter; ``tous`` keeps every document."""
    docs = tables["doc"].unique(maintain_order=True).to_list()
    if len(docs) <= 1:
        return ALL_DOCS
    return st.selectbox(
        "Document / site",
        [ALL_DOCS, *docs],
        key=key,
        help="« tous » permet de comparer une même formation entre les documents "
        "(par exemple QLIO du doc 000 et QLIO du doc 004).",
        **BOUND,
    )


def semester_tables() -> pl.DataFrame:
    """Formation, semester and document selectors in one row; returns the tables they select,
    with their ``choice`` labels."""
    c1, c2, c3 = st.columns([1, 1, 2])
    with c1:
        formation = formation_select()
    with c2:
        semester = semester_select(formation)
    tables = with_choices(data.tables_of(formation, semester))
    with c3:
        doc = doc_select(tables)
    return tables if doc == ALL_DOCS else tables.filter(pl.col("doc") == doc)


def with_choices(tables: pl.DataFrame) -> pl.DataFrame:
    """Add ``choice``: ``parcours · doc`` (the semester is chosen elsewhere), unique (source
    line appended on a collision, e.g. a table whose identity was inferred)."""
    base = [f"{p} · {d}" for p, d in zip(tables["parcours_fr"].to_list(), tables["doc"].to_list())]
    seen: dict[str, int] = {}
    for b in base:
        seen[b] = seen.get(b, 0) + 1
    out = [
        b if seen[b] == 1 else f"{b} (ligne {line})"
        for b, line in zip(base, tables["source_line"].to_list())
    ]
    return tables.with_columns(choice=pl.Series(out, dtype=pl.String))


def tables_multiselect(
    tables: pl.DataFrame,
    key: str = "parcours",
    label: str = "Parcours à comparer",
    min_default: int = 2,
) -> list[str]:
    """Pick tables by their ``choice`` label; returns table ids in the chosen order."""
    options = tables["choice"].to_list()
    default = _distinct_default(tables, min_default)
    current = st.session_state.get(key)
    if current and not any(c in options for c in current):
        # Another formation/semester was chosen since (here or on another page): start again
        # from the default instead of an empty selection.
        del st.session_state[key]
    chosen = st.multiselect(
        label,
        options,
        default=default,
        key=key,
        max_selections=6,
        placeholder="Choisissez des parcours",
        **BOUND,
    )
    ids = dict(zip(options, tables["table_id"].to_list()))
    return [ids[c] for c in chosen if c in ids]


def _distinct_default(tables: pl.DataFrame, n: int) -> list[str]:
    """The first ``n`` choices, preferring tables of different parcours (more to see)."""
    picked, seen = [], set()
    for choice, parcours in zip(tables["choice"].to_list(), tables["parcours"].to_list()):
        if parcours not in seen:
            picked.append(choice)
            seen.add(parcours)
        if len(picked) == n:
            return picked
    rest = [c for c in tables["choice"].to_list() if c not in picked]
    return (picked + rest)[:n]
