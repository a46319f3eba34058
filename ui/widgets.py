"""Selectors shared by the pages: formation, semester, document, tables. Their values follow
:mod:`ui.state` (one state: screen = selection = URL; parents reset their dependants; defaults
never land on an empty view)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
import streamlit as st

from butdata.vocab import EMPTY, RELIABILITIES

from . import data, state

ALL_DOCS = "tous les documents"
MAX_TABLES = 6


def formation_select(key: str = "formation") -> str:
    f = data.formations()
    codes = f["formation"].to_list()
    if not codes:
        st.info("La base ne contient encore aucune formation : ajoutez des documents sources.")
        st.stop()
    names = dict(zip(codes, f["formation_name"].to_list()))
    default = "QLIO" if "QLIO" in codes else codes[0]
    state.set_value(key, state.initial(key, codes, default, str, "Formation"))
    code: str = st.selectbox(
        "Formation",
        codes,
        key=key,
        format_func=lambda c: f"{c} — {names.get(c) or c}",
        help="Sigle national de la spécialité de B.U.T.",
    )
    state.remember(key, code, code)
    return code


def semester_label(s: int) -> str:
    return f"S{s}"


def semester_select(formation: str, key: str = "semestre", need: int = 1) -> int:
    """Semesters of the formation; the default is the first one (S3 preferred) with at least
    ``need`` tables that have values (a comparison needs 2)."""
    tables = data.tables_of(formation)
    sems = sorted({s for s in tables["semester"].to_list() if s is not None})
    if not sems:
        st.info(f"Aucun semestre identifié pour {formation} : voir la Vue d'ensemble.")
        st.stop()
    full = tables.filter(pl.col("reliability") != EMPTY)
    counts = full.group_by("semester").len()
    filled = dict(zip(counts["semester"].to_list(), counts["len"].to_list()))
    usable = [s for s in sems if filled.get(s, 0) >= need] or [
        s for s in sems if filled.get(s, 0) > 0
    ]
    default = 3 if 3 in usable else (usable or sems)[0]
    state.set_value(
        key, state.initial(key, sems, default, semester_label, "Semestre", parent=formation)
    )
    sem: int = st.selectbox(
        "Semestre",
        sems,
        key=key,
        format_func=lambda s: semester_label(s)
        + ("" if filled.get(s, 0) else " (tableaux vides)"),
    )
    state.remember(key, sem, semester_label(sem))
    return sem


def doc_select(tables: pl.DataFrame, parent: object, key: str = "document") -> str:
    """Document (and site) filter when the tables come from several; ALL_DOCS keeps them all."""
    docs = tables["doc"].unique(maintain_order=True).to_list()
    if len(docs) <= 1:
        state.write_url(key, None)
        return ALL_DOCS
    options = [ALL_DOCS, *docs]
    state.set_value(key, state.initial(key, options, ALL_DOCS, str, "Document", parent=parent))
    doc: str = st.selectbox(
        "Document / site",
        options,
        key=key,
        help="« tous les documents » permet de comparer une même formation entre documents "
        "(par exemple QLIO de deux IUT).",
    )
    state.remember(key, doc, None if doc == ALL_DOCS else doc)
    return doc


def semester_tables(need: int = 1) -> pl.DataFrame:
    """Formation, semester and document selectors in one row; returns the tables they select,
    with their ``choice`` labels."""
    c1, c2, c3 = st.columns([2, 1, 2])
    with c1:
        formation = formation_select()
    with c2:
        semester = semester_select(formation, need=need)
    tables = with_choices(data.tables_of(formation, semester))
    with c3:
        doc = doc_select(tables, parent=(formation, semester))
    return tables if doc == ALL_DOCS else tables.filter(pl.col("doc") == doc)


def with_choices(tables: pl.DataFrame) -> pl.DataFrame:
    """Add ``choice``: ``parcours · document`` (the semester is chosen elsewhere), unique (source
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


def default_tables(tables: pl.DataFrame, n: int) -> list[str]:
    """The first ``n`` table ids to show: tables with values first (modules identified before
    values by UE only), preferring different parcours (more to see)."""
    rank = {r: i for i, r in enumerate(RELIABILITIES)}
    ordered = sorted(
        zip(tables["table_id"].to_list(), tables["parcours"].to_list(), tables["reliability"]),
        key=lambda r: rank.get(r[2], 9),
    )
    picked: list[str] = []
    seen: set[object] = set()
    for tid, parcours, _ in ordered:
        if parcours not in seen:
            picked.append(tid)
            seen.add(parcours)
    picked += [tid for tid, _, _ in ordered if tid not in picked]
    return picked[:n]


def tables_pills(
    tables: pl.DataFrame,
    parent: object,
    key: str = "parcours",
    label: str = "Parcours à comparer",
    n_default: int = 2,
) -> list[str]:
    """Pick tables (every option visible, full names wrapped); returns table ids in the order of
    the options. Empty tables are marked « (vide) »."""
    ids = tables["table_id"].to_list()
    names = dict(zip(ids, tables["choice"].to_list()))
    empty = set(tables.filter(pl.col("reliability") == EMPTY)["table_id"].to_list())

    def fmt(tid: str) -> str:
        return names[tid] + (" (vide)" if tid in empty else "")

    chosen = state.initial_many(
        key, ids, default_tables(tables, n_default), names.__getitem__, "Tableau", parent=parent
    )
    state.set_value(key, chosen[:MAX_TABLES])
    picked: Sequence[str] = (
        st.pills(
            label,
            ids,
            selection_mode="multi",
            key=key,
            format_func=fmt,
            help=f"Cliquez pour ajouter ou retirer un tableau (au plus {MAX_TABLES}).",
        )
        or []
    )
    if len(picked) > MAX_TABLES:
        st.caption(f"Au plus {MAX_TABLES} tableaux : les premiers sont affichés.")
    shown = [t for t in ids if t in picked][:MAX_TABLES]
    state.remember(key, shown, [names[t] for t in shown])
    return shown
