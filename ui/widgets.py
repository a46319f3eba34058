"""Selectors shared by the pages: formation, semester, document, tables. Their values follow
:mod:`ui.state` (one state: screen = selection = URL; parents reset their dependants; defaults
never land on an empty view)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
import streamlit as st

from butdata.vocab import EMPTY, RELIABILITIES

from . import data, printing, state

ALL_DOCS = "tous les documents"
MAX_TABLES = 6


def cell_number(x: Any) -> float | None:
    """A number typed in an editable table (None when the cell is empty, NaN or not a number)."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


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
        help="Sigle national de la spécialité de B.U.T. ; son intitulé est écrit dessous.",
        placeholder="Choisir…",
    )
    st.caption(names.get(code) or code)  # the full name, never cut (the box holds the sigle)
    state.remember(key, code, code)
    printing.note_selection("Formation", f"{code} — {names.get(code) or code}")
    return code


def semester_label(s: int) -> str:
    return f"S{s}"


@data.shared
def _semesters(key: str, formation: str, need: int) -> tuple[list[int], dict[int, int], int | None]:
    """The formation's semesters, their number of tables with values, the default one."""
    tables = data.tables_of(formation)
    sems = sorted({s for s in tables["semester"].to_list() if s is not None})
    counts = tables.filter(pl.col("reliability") != EMPTY).group_by("semester").len()
    filled = dict(zip(counts["semester"].to_list(), counts["len"].to_list()))
    usable = [s for s in sems if filled.get(s, 0) >= need] or [
        s for s in sems if filled.get(s, 0) > 0
    ]
    return sems, filled, (3 if 3 in usable else (usable or sems or [None])[0])


def semester_select(formation: str, key: str = "semestre", need: int = 1) -> int:
    """Semesters of the formation; the default is the first one (S3 preferred) with at least
    ``need`` tables that have values (a comparison needs 2)."""
    sems, filled, default = _semesters(data.store_key(), formation, need)
    if not sems:
        st.info(f"Aucun semestre identifié pour {formation} : voir la Vue d'ensemble.")
        st.stop()
    state.set_value(
        key, state.initial(key, sems, default, semester_label, "Semestre", parent=formation)
    )
    sem: int = st.selectbox(
        "Semestre",
        sems,
        key=key,
        format_func=lambda s: semester_label(s) + ("" if filled.get(s, 0) else " (tableaux vides)"),
        placeholder="Choisir…",
    )
    state.remember(key, sem, semester_label(sem))
    printing.note_selection("Semestre", semester_label(sem))
    return sem


def doc_select(tables: pl.DataFrame, parent: object, key: str = "document") -> str:
    """Document (and site) filter when the tables come from several; ALL_DOCS keeps them all."""
    docs = list(dict.fromkeys(tables["doc"].to_list()))
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
        placeholder="Choisir…",
    )
    state.remember(key, doc, None if doc == ALL_DOCS else doc)
    printing.note_selection("Document", doc)
    return doc


def semester_tables(need: int = 1) -> pl.DataFrame:
    """Formation, semester and document selectors in one row; returns the tables they select,
    with their ``choice`` labels."""
    c1, c2, c3 = st.columns([2, 1, 2])
    with c1:
        formation = formation_select()
    with c2:
        semester = semester_select(formation, need=need)
    tables = tables_with_choices(formation, semester)
    with c3:
        doc = doc_select(tables, parent=(formation, semester))
    return tables if doc == ALL_DOCS else tables.filter(pl.col("doc") == doc)


@data.shared
def _with_choices(key: str, formation: str, semester: int | None) -> pl.DataFrame:
    return with_choices(data.tables_of(formation, semester))


def tables_with_choices(formation: str, semester: int | None) -> pl.DataFrame:
    """The tables of a formation (one semester) with their ``choice`` labels."""
    return _with_choices(data.store_key(), formation, semester)


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
    values by UE only, before partial ones), preferring different parcours (more to see); empty
    tables only when nothing else is left."""
    rank = {r: i for i, r in enumerate(RELIABILITIES)}
    ordered = sorted(
        zip(tables["table_id"].to_list(), tables["parcours"].to_list(), tables["reliability"]),
        key=lambda r: rank.get(r[2], 9),
    )
    filled = [r for r in ordered if r[2] != EMPTY]
    picked: list[str] = []
    seen: set[object] = set()
    for tid, parcours, _ in filled:
        if parcours not in seen:
            picked.append(tid)
            seen.add(parcours)
    picked += [tid for tid, _, _ in filled if tid not in picked]
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
    # plain lists, not a polars filter (≈ 0.3 ms a rerun for a handful of rows)
    empty = {t for t, r in zip(ids, tables["reliability"].to_list()) if r == EMPTY}

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
    printing.note_selection(label, ", ".join(names[t] for t in shown) or "aucun")
    return shown


def segmented(
    label: str, options: dict[str, str], key: str, default: str, parent: object = None
) -> str:
    """A choice among a few options shown side by side (``options``: value -> French label);
    the URL says the French label."""
    values = list(options)
    state.set_value(key, state.initial(key, values, default, options.__getitem__, label, parent))
    value = st.segmented_control(
        label, values, key=key, format_func=options.__getitem__, required=True
    )
    value = value if value in options else default
    state.remember(key, value, options[value])
    printing.note_selection(label, options[value])
    return value


def band_slider(key: str = "cible", default: tuple[int, int] = (40, 60)) -> tuple[float, float]:
    """The target band of the SAÉ share (a local setting), in the URL as « 40-60 »."""

    def fmt(band: tuple[int, int]) -> str:
        return f"{band[0]}-{band[1]}"

    options = [(lo, hi) for lo in range(0, 101, 5) for hi in range(lo, 101, 5)]
    state.set_value(key, state.initial(key, options, default, fmt, "Cible de part SAÉ"))
    lo, hi = st.slider(
        "Cible de part SAÉ (%) — réglage local",
        0,
        100,
        default,
        step=5,
        key=key,
        help="Réglage local : la fourchette réglementaire n'a pas été vérifiée dans l'arrêté. "
        "Plusieurs IUT visent environ 40 % de SAÉ ; 40-60 % est une suggestion.",
    )
    state.remember(key, (lo, hi), fmt((lo, hi)))
    printing.note_selection("Cible de part SAÉ", f"{lo}–{hi} %")
    return lo / 100, hi / 100


def segmented_select(label: str, options: dict[str, str], key: str, default: str) -> str:
    """A choice among many options in a select box (``options``: value -> French label)."""
    values = list(options)
    state.set_value(key, state.initial(key, values, default, options.__getitem__, label))
    value: str = st.selectbox(
        label, values, key=key, format_func=options.__getitem__, placeholder="Choisir…"
    )
    state.remember(key, value, options[value])
    printing.note_selection(label, options[value])
    return value


def multi_filter(label: str, options: list[str], key: str, parent: object = None) -> list[str]:
    """A filter over a list (none picked = every option); returns the options kept."""
    chosen = state.initial_many(key, options, [], str, label, parent=parent)
    state.set_value(key, chosen)
    picked: list[str] = st.multiselect(label, options, key=key, placeholder="Tous")
    shown = picked or options
    state.remember(key, picked, picked if len(picked) < len(options) else None)
    printing.note_selection(label, "tous" if len(shown) == len(options) else ", ".join(shown))
    return shown


def period_select(
    options: pl.DataFrame, parent: object, key: str = "periode"
) -> tuple[str, ...] | None:
    """A semester or a year to simulate; periods without values are marked « (vide) » and never
    the default (the first year with values is). None when nothing can be simulated."""
    if options.height == 0:
        return None
    labels = options["label"].to_list()
    simulable = dict(zip(labels, options["simulable"].to_list()))
    kinds = dict(zip(labels, options["kind"].to_list()))
    usable = [lab for lab in labels if simulable[lab]]
    if not usable:
        return None
    default = next((lab for lab in usable if kinds[lab] == "année"), usable[0])
    state.set_value(key, state.initial(key, labels, default, str, "Période", parent=parent))
    choice: str = st.selectbox(
        "Semestre ou année",
        labels,
        key=key,
        format_func=lambda lab: lab if simulable[lab] else f"{lab} (vide)",
        help="Une année = le semestre impair et le semestre pair suivant du même parcours : "
        "elle donne les RCUE et la décision annuelle.",
        placeholder="Choisir…",
    )
    state.remember(key, choice, choice)
    printing.note_selection("Période", choice)
    ids = options["table_ids"][labels.index(choice)]  # the row of the choice (no filter)
    return tuple(ids.to_list() if isinstance(ids, pl.Series) else ids)


@data.shared
def _table_options(
    key: str, formation: str, semester: int | None
) -> tuple[list[str], dict[str, str], dict[str, str], str]:
    """Ids, the name of each, its label in the box (« (vide) » added for an empty one), and
    the default (a table with values)."""
    tables = tables_with_choices(formation, semester)
    ids = tables["table_id"].to_list()
    # plain lists, not a polars filter (≈ 0.3 ms a rerun for a handful of rows)
    empty = {t for t, r in zip(ids, tables["reliability"].to_list()) if r == EMPTY}
    names = dict(zip(ids, tables["choice"].to_list()))
    labels = {t: names[t] + (" (vide)" if t in empty else "") for t in ids}
    return ids, names, labels, default_tables(tables, 1)[0]


def table_select(formation: str, semester: int | None, key: str = "tableau") -> str:
    """One table of a formation (one semester), by its ``choice``; the default has values."""
    ids, names, labels, default = _table_options(data.store_key(), formation, semester)
    parent = (formation, semester)
    state.set_value(key, state.initial(key, ids, default, names.__getitem__, "Tableau", parent))
    tid: str = st.selectbox(
        "Tableau",
        ids,
        key=key,
        format_func=labels.__getitem__,
        placeholder="Choisir…",
    )
    state.remember(key, tid, names[tid])
    printing.note_selection("Tableau", names[tid])
    return tid
