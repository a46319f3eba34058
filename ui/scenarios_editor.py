"""The Scénarios page's editor: which scenario is open (a new copy of a stored table or year, or
a saved one), the module × UE grid (st.data_editor), the ECTS and totals of each UE, adding,
removing and moving, undo / redo and the change list.

Every change becomes edits of :mod:`butdata.scenarios` applied to the work's scenario; the grid
is then drawn again from the new proposal (its key carries the scenario's version, so an editor
never keeps the deltas of a previous version)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import polars as pl
import streamlit as st

from butdata import fmt
from butdata.errors import ButdataError
from butdata.scenarios import (
    AddModule,
    Edit,
    RemoveModule,
    RenameModule,
    Scenario,
    ScenarioError,
    SetCoefficient,
    SetEcts,
    SetKind,
)
from butdata.scenarios.proposal import show, to_decimal
from butdata.scenarios.tables import changes_frame, mcc_table
from butdata.vocab import KIND_LABELS, KINDS

from . import data, printing, state, widgets
from . import scenarios_state as ss

SELECT = "scenario"  # the selector's key, and the URL parameter of a deep link (?scenario=NAME)
NEW_LABEL = "Nouveau scénario (copie d'un tableau)"
CODE, NAME, KIND = "Code", "Intitulé", "Type"
KIND_OF = {KIND_LABELS[k]: k for k in KINDS}
NUMBER_TEXT = r"^\s*\d*([.,]\d*)?\s*$"  # what a cell accepts: « 1,5 », « 1.50 », « 2 », empty


def _typed(value: Any, what: str) -> Decimal | None:
    """A number typed in a cell (empty = 0); None, with a French message where the grid is, when
    it is not one (the cell keeps the text until it is corrected)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return Decimal(0)
    try:
        number = to_decimal(text, what)
    except ScenarioError as exc:
        st.error(f"Modification refusée : {exc}")
        return None
    if number < 0:
        st.error(f"Modification refusée : {what} négatif ({text})")
        return None
    return number


def uid(work_key: str) -> str:
    """A short stable id of a work (widget keys: tests compute the same)."""
    return hashlib.sha1(work_key.encode()).hexdigest()[:8]


def grid_key(work_key: str, table_id: str, version: int) -> str:
    """Key of the module × UE editor of one table at one version of the scenario."""
    return f"scn_grid_{uid(work_key)}_{table_id}_{version}"


def ects_key(work_key: str, table_id: str, version: int) -> str:
    return f"scn_ects_{uid(work_key)}_{table_id}_{version}"


# --------------------------------------------------------------------------- which scenario


def choose() -> tuple[str, ss.Work] | None:
    """The scenario selector (new, or a saved name: ``?scenario=NAME`` opens it), then the
    origin of a new one; returns the work key and the work (None when nothing can be copied)."""
    saved = [i for i in ss.saved_list() if i.problem is None]
    names = [i.name for i in saved]
    options = [ss.NEW, *names]
    pending = st.session_state.pop(ss.PENDING, None)
    if pending in options:
        state.set_value(SELECT, pending)
    else:

        def label(o: str) -> str:
            return NEW_LABEL if o == ss.NEW else o

        state.set_value(SELECT, state.initial(SELECT, options, ss.NEW, label, "Scénario"))
    choice: str = st.selectbox(
        "Scénario",
        options,
        key=SELECT,
        format_func=lambda o: NEW_LABEL if o == ss.NEW else o,
        help="Un scénario enregistré, ou un nouveau : la copie d'un tableau (ou des deux tableaux "
        "d'une année) de la base, modifiable sans toucher aux documents.",
    )
    state.remember(SELECT, choice, None if choice == ss.NEW else choice)
    if choice != ss.NEW:
        printing.note_selection("Scénario", choice)
        return _open_saved(choice)
    c1, c2 = st.columns([2, 3])
    with c1:
        formation = widgets.formation_select()
    options_df = data.year_options(formation)
    with c2:
        table_ids = widgets.period_select(options_df, parent=formation, key="origine")
    if table_ids is None:
        st.info(f"Aucun tableau de {formation} n'a de valeurs à copier.")
        return None
    key = ss.new_key(table_ids)
    works = ss.works()
    if key not in works:
        label = options_df.filter(pl.col("table_ids") == list(table_ids))["label"].to_list()
        name = f"Proposition · {label[0] if label else ', '.join(table_ids)}"
        frames = ss.origin_frames(table_ids)
        try:
            works[key] = ss.Work(Scenario.from_frames(frames, table_ids, name))
        except ScenarioError as exc:
            st.warning(f"Ce tableau ne peut pas servir d'origine : {exc}")
            return None
    return key, works[key]


def _open_saved(name: str) -> tuple[str, ss.Work] | None:
    key = ss.saved_key(name)
    works = ss.works()
    if key not in works:
        try:
            scenario, identity = ss.load_saved(name)
        except ButdataError as exc:
            st.error(f"Impossible d'ouvrir le scénario « {name} » : {exc}")
            return None
        works[key] = ss.Work(scenario, saved_as=name, base=identity)
    return key, works[key]


# --------------------------------------------------------------------------- applying edits


def _apply(work: ss.Work, make: Callable[[Scenario], Scenario]) -> None:
    """Run one change on the work (a French error shown at the next run when it fails)."""
    try:
        work.scenario = make(work.scenario)
    except ScenarioError as exc:
        ss.flash("error", f"Modification refusée : {exc}")


def _apply_edits(work: ss.Work, edits: list[Edit]) -> None:
    if edits:
        _apply(work, lambda s: s.apply(*edits))


# --------------------------------------------------------------------------- the grid


def _grid_frame(s: Scenario, table_id: str) -> tuple[pl.DataFrame, list[str]]:
    """The editor's rows: code, name, kind label, one float column per UE (None = none)."""
    t = mcc_table(s.proposal, table_id)
    data_: dict[str, list[Any]] = {
        CODE: [r.code for r in t.rows],
        NAME: [r.name or "" for r in t.rows],
        KIND: [KIND_LABELS[r.kind] for r in t.rows],
    }
    for j, ue in enumerate(t.ues):
        data_[ue] = [show(r.cells[j]) if r.cells[j] else "" for r in t.rows]
    schema: dict[str, Any] = {CODE: pl.String, NAME: pl.String, KIND: pl.String}
    schema |= {ue: pl.String for ue in t.ues}
    return pl.DataFrame(data_, schema=schema), [r.code for r in t.rows]


def _grid_edits(s: Scenario, table_id: str, delta: Any) -> list[Edit]:
    """Edits from the data editor's state (``edited_rows``: row -> {column: new value})."""
    if not isinstance(delta, dict):
        return []
    t = mcc_table(s.proposal, table_id)
    edits: list[Edit] = []
    for row_key, changes in sorted((delta.get("edited_rows") or {}).items()):
        i = int(row_key)
        if not 0 <= i < len(t.rows) or not isinstance(changes, dict):
            continue
        row = t.rows[i]
        code = row.code
        for column, value in changes.items():
            if column in t.ues:
                j = t.ues.index(column)
                new = _typed(value, f"coefficient de {code} dans {column}")
                if new is not None and new != row.cells[j]:
                    edits.append(SetCoefficient(table_id, code, column, new))
            elif column == KIND:
                kind = KIND_OF.get(str(value))
                if kind and kind != row.kind:
                    edits.append(SetKind(table_id, code, kind))
            elif column == NAME:
                text = str(value or "").strip()
                if text != (row.name or ""):
                    edits.append(RenameModule(table_id, code, None, text))
        new_code = str(changes.get(CODE) or "").strip()
        if new_code and new_code != code:  # last: the other edits name the module's old code
            edits.append(RenameModule(table_id, code, new_code, None))
    return edits


def grid(work_key: str, work: ss.Work, table_id: str) -> None:
    """The module × UE editor of one table, then the UEs' ECTS, totals and SAÉ shares."""
    s = work.scenario
    key = grid_key(work_key, table_id, s.version)
    edits = _grid_edits(s, table_id, st.session_state.get(key))
    if edits:  # the editor of this version was changed: apply, draw the next version
        _apply_edits(work, edits)
        st.rerun()
    frame, _ = _grid_frame(s, table_id)
    t = mcc_table(s.proposal, table_id)
    config: dict[str, Any] = {
        CODE: st.column_config.TextColumn(CODE, required=True, width="small"),
        NAME: st.column_config.TextColumn(NAME, width="large"),
        KIND: st.column_config.SelectboxColumn(
            KIND, options=[KIND_LABELS[k] for k in KINDS], required=True, width="small"
        ),
    }
    for ue, name in zip(t.ues, t.ue_names):  # French text (« 1,5 »), empty = no coefficient
        config[ue] = st.column_config.TextColumn(ue, help=name or ue, validate=NUMBER_TEXT)
    st.data_editor(
        frame,
        key=key,
        num_rows="fixed",
        hide_index=True,
        width="stretch",
        column_config=config,
    )
    ects_table(work_key, work, table_id)


def ue_frame(s: Scenario, table_id: str) -> pl.DataFrame:
    """Per UE of one table: ECTS (editable), coefficient total and SAÉ share, as the MCC print
    them (French text for the computed ones)."""
    t = mcc_table(s.proposal, table_id)
    return pl.DataFrame(
        {
            "UE": list(t.ues),
            "Compétence": [n or "" for n in t.ue_names],
            "ECTS": ["" if e is None else show(e) for e in t.ects],
            "Total des coefficients": [show(v) for v in t.totals],
            "Part des SAÉ": [fmt.percent(v) for v in t.shares],
        },
        schema={
            "UE": pl.String,
            "Compétence": pl.String,
            "ECTS": pl.String,
            "Total des coefficients": pl.String,
            "Part des SAÉ": pl.String,
        },
    )


def ects_table(work_key: str, work: ss.Work, table_id: str) -> None:
    s = work.scenario
    key = ects_key(work_key, table_id, s.version)
    delta = st.session_state.get(key)
    t = mcc_table(s.proposal, table_id)
    edits: list[Edit] = []
    if isinstance(delta, dict):
        for row_key, changes in (delta.get("edited_rows") or {}).items():
            i = int(row_key)
            if 0 <= i < len(t.ues) and isinstance(changes, dict) and "ECTS" in changes:
                value = _typed(changes["ECTS"], f"ECTS de {t.ues[i]}")
                if value is not None and value != t.ects[i]:
                    edits.append(SetEcts(table_id, t.ues[i], value))
    if edits:
        _apply_edits(work, edits)
        st.rerun()
    total_ects = t.ects_total
    st.caption(
        f"Par UE : crédits ECTS (modifiables), total des coefficients et part des SAÉ. Semestre : "
        f"{show(t.total)} de coefficients, {show(total_ects)} ECTS."
    )
    st.data_editor(
        ue_frame(s, table_id),
        key=key,
        num_rows="fixed",
        hide_index=True,
        width="stretch",
        disabled=["UE", "Compétence", "Total des coefficients", "Part des SAÉ"],
        column_config={"ECTS": st.column_config.TextColumn("ECTS", validate=NUMBER_TEXT)},
    )


# --------------------------------------------------------------------------- other edits


def history(work_key: str, work: ss.Work) -> None:
    """Undo / redo, and how many changes."""
    s = work.scenario
    u = uid(work_key)
    c1, c2, c3 = st.columns([1, 1, 4])
    c1.button(
        "Annuler",
        key=f"scn_undo_{u}",
        icon=":material/undo:",
        disabled=not s.can_undo,
        on_click=_apply,
        args=(work, lambda x: x.undo()),
        help="Annule la dernière modification (un déplacement s'annule en une fois).",
    )
    c2.button(
        "Rétablir",
        key=f"scn_redo_{u}",
        icon=":material/redo:",
        disabled=not s.can_redo,
        on_click=_apply,
        args=(work, lambda x: x.redo()),
    )
    c3.caption(
        f"{fmt.integer(len(s.change_list()))} modification(s) · version {s.version}"
        + (" · non enregistré" if work.unsaved else " · enregistré")
    )


def tools(work_key: str, work: ss.Work) -> None:
    """Move coefficient between modules, add and remove a module."""
    s = work.scenario
    u = uid(work_key)
    tables = s.proposal.table_ids
    # a bordered box, not an expander: an expander closes again on the rerun each choice makes
    with st.container(border=True):
        tid = tables[0]
        if len(tables) > 1:
            tid = st.selectbox(
                "Tableau",
                tables,
                key=f"scn_tool_table_{u}",
                format_func=lambda t: mcc_table(s.proposal, t).title,
            )
        t = mcc_table(s.proposal, tid)
        codes = [r.code for r in t.rows]
        st.markdown("**Déplacer du coefficient** (le total de l'UE ne change pas)")
        m1, m2, m3, m4, m5 = st.columns([1, 1, 1, 1, 1])
        m1.selectbox("UE", list(t.ues), key=f"scn_move_ue_{u}")
        m2.selectbox("De", codes, key=f"scn_move_from_{u}")
        m3.selectbox("Vers", codes, key=f"scn_move_to_{u}")
        m4.text_input("Quantité", value="0,5", key=f"scn_move_amount_{u}")
        m5.button(
            "Déplacer",
            key=f"scn_move_{u}",
            icon=":material/swap_horiz:",
            on_click=_move,
            args=(work, u, tid),
        )
        st.markdown("**Ajouter un module**")
        a1, a2, a3, a4 = st.columns([1, 2, 1, 1])
        a1.text_input("Code", key=f"scn_add_code_{u}")
        a2.text_input("Intitulé", key=f"scn_add_name_{u}")
        a3.selectbox("Type", [KIND_LABELS[k] for k in KINDS], key=f"scn_add_kind_{u}")
        a4.button(
            "Ajouter",
            key=f"scn_add_{u}",
            icon=":material/add:",
            on_click=_add,
            args=(work, u, tid),
        )
        st.markdown("**Retirer un module** (et tous ses coefficients)")
        r1, r2 = st.columns([2, 1])
        r1.selectbox("Module", codes, key=f"scn_remove_code_{u}")
        r2.button(
            "Retirer",
            key=f"scn_remove_{u}",
            icon=":material/delete:",
            on_click=_remove,
            args=(work, u, tid),
        )


# Callbacks read the widgets' values when the button is clicked (values given as arguments
# would be those of the run that drew the button, before the user typed).


def _value(key: str) -> Any:
    return st.session_state.get(key)


def _move(work: ss.Work, u: str, tid: str) -> None:
    ue, src, dst = (_value(f"scn_move_{w}_{u}") for w in ("ue", "from", "to"))
    amount = _value(f"scn_move_amount_{u}")
    _apply(work, lambda x: x.move_coefficient(ue, src, dst, amount, table_id=tid))


def _add(work: ss.Work, u: str, tid: str) -> None:
    code = str(_value(f"scn_add_code_{u}") or "")
    name = str(_value(f"scn_add_name_{u}") or "").strip() or None
    kind = KIND_OF.get(str(_value(f"scn_add_kind_{u}")))
    _apply(work, lambda x: x.apply(AddModule(tid, code, name, kind)))


def _remove(work: ss.Work, u: str, tid: str) -> None:
    code = _value(f"scn_remove_code_{u}")
    if code:
        _apply(work, lambda x: x.apply(RemoveModule(tid, str(code))))


def change_list(work: ss.Work) -> None:
    changes = changes_frame(work.scenario)
    if changes.height == 0:
        st.caption("Aucune modification : la proposition est encore la copie de l'origine.")
        return
    st.markdown("\n".join(f"{r[0]}. {r[3]}" for r in changes.iter_rows()))
    printing.note_table(changes, "Liste des modifications")


def table_title(s: Scenario, table_id: str) -> str:
    return f"{mcc_table(s.proposal, table_id).title} ({table_id})"
