"""The Scénarios page's writes: save the work (name, note; the author is the signed-in editor),
and the list of saved scenarios with open, duplicate and delete. Every write passes
``auth.require_editor`` and is journalled; its buttons are in ``auth.WRITE_TRIGGERS``.

A save goes through the store's write path (:mod:`butdata.store.scenario_saves`: lock, version
check, atomic file, rebuild); a concurrent save of the same scenario gets the conflict message
and nothing is written — the work stays on screen."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import streamlit as st

from butdata import fmt
from butdata.errors import ButdataError, os_error
from butdata.scenarios import Scenario, to_document
from butdata.store import journal as jn
from butdata.store.scenario_files import SavedInfo
from butdata.store.scenario_saves import ScenarioConflict, delete_scenario, save_scenario

from . import auth
from . import scenarios_state as ss
from .scenarios_editor import uid
from .tables import show_table

ACTION = "scénario"
SAVE, DUPLICATE, DELETE = "scenario_save", "scenario_duplicate", "scenario_delete"


def _when(t: datetime | None) -> str:
    return fmt.MISSING if t is None else fmt.timestamp(t.astimezone())


def _write(
    scenario: Scenario, expected: tuple[str, int] | None, detail: str
) -> tuple[Scenario, tuple[str, int]] | None:
    """Save ``scenario`` as its signed-in author; the saved scenario and its identity, or None
    (the French reason shown)."""
    try:
        who = auth.require_editor(ACTION, scenario.name)
    except ButdataError as exc:
        st.error(str(exc))
        return None
    scenario = scenario.with_info(author=who.name or scenario.author)
    bar = st.progress(0.0, text="Enregistrement du scénario…")
    try:
        result = save_scenario(
            ss.db_path(),
            ss.sources_dir(),
            scenario.to_dict(),
            to_document(scenario),
            expected=expected,
            saved_by=who.label,
            progress=lambda f, msg: bar.progress(min(f, 1.0), text=f"Reconstruction : {msg}"),
        )
    except ScenarioConflict as exc:
        bar.empty()
        auth.record(who, ACTION, jn.FAILED, file=scenario.name, detail=f"conflit : {exc}")
        st.error(str(exc), icon=":material/sync_problem:")
        return None
    except (ButdataError, OSError) as exc:
        bar.empty()
        message = str(os_error(exc) if isinstance(exc, OSError) else exc)
        auth.record(who, ACTION, jn.FAILED, file=scenario.name, detail=message)
        st.error(message)
        return None
    bar.empty()
    auth.record(
        who,
        ACTION,
        jn.OK,
        file=result.file,
        added=result.added,
        replaced=result.replaced,
        removed=result.removed,
        detail=f"{detail} « {scenario.name} », version {scenario.version}",
    )
    ss.clear()
    return scenario, result.saved.identity


def save_form(work_key: str, work: ss.Work) -> None:
    """Name and note, then « Enregistrer le scénario » (editors only)."""
    s = work.scenario
    u = uid(work_key)
    if not auth.can_write():
        st.info(
            "Consultation seule : connectez-vous comme éditeur pour enregistrer ce scénario. "
            "Le classeur et la note au conseil restent téléchargeables."
        )
        return
    name = st.text_input("Nom du scénario", value=s.name, key=f"scn_name_{u}", max_chars=120)
    note = st.text_area("Note (pour le conseil)", value=s.note or "", key=f"scn_note_{u}")
    st.caption(
        f"Auteur : {auth.current_identity().label} (l'éditeur connecté). "
        + (
            f"Enregistré sous « {work.saved_as} », version {work.base[1] if work.base else '?'}."
            if work.saved_as
            else "Jamais enregistré."
        )
    )
    if not st.button("Enregistrer le scénario", key=SAVE, icon=":material/save:", type="primary"):
        return
    name = name.strip()
    if not name:
        st.error("Donnez un nom au scénario avant de l'enregistrer.")
        return
    try:
        edited = s.with_info(name=name, note=note.strip() or None)
    except ButdataError as exc:
        st.error(str(exc))
        return
    expected = work.base if work.saved_as == name else None
    done = _write(edited, expected, "enregistrement de")
    if done is None:  # the reason (a conflict…) is shown; the work stays as it is
        return
    saved, identity = done
    works = ss.works()
    works.pop(work_key, None)
    works[ss.saved_key(name)] = ss.Work(saved, saved_as=name, base=identity)
    st.session_state[ss.PENDING] = name
    ss.flash("success", f"Scénario « {name} » enregistré (version {saved.version}).")
    st.rerun()


def saved_frame(infos: list[SavedInfo]) -> pl.DataFrame:
    rows = [
        [
            i.name,
            i.author or fmt.MISSING,
            str(i.version or ""),
            _when(i.updated),
            ", ".join(i.origin),
            fmt.integer(i.n_changes),
            i.problem or "",
        ]
        for i in infos
    ]
    columns = ("nom", "auteur", "version", "modifié le", "origine", "modifications", "problème")
    return pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")


def saved_section() -> None:
    """The saved scenarios: open (also by link: ``?scenario=NAME``), duplicate, delete."""
    infos = ss.saved_list()
    if not infos:
        st.caption("Aucun scénario enregistré.")
        return
    listing = saved_frame(list(infos))
    if not any(i.problem for i in infos):
        listing = listing.drop("problème")
    show_table(listing, hide_index=True, width="stretch")
    names = [i.name for i in infos if i.problem is None]
    if not names:
        return
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    picked = c1.selectbox("Scénario enregistré", names, key="scn_saved_pick")
    if c2.button(
        "Ouvrir",
        key="scn_open",
        icon=":material/folder_open:",
        help="La version enregistrée (des modifications non enregistrées de ce scénario dans "
        "cette session sont abandonnées).",
    ):
        ss.works().pop(ss.saved_key(picked), None)  # read again from the file
        st.session_state[ss.PENDING] = picked
        st.rerun()
    if not auth.can_write():
        return
    info = next(i for i in infos if i.name == picked)
    if c3.button("Dupliquer", key=DUPLICATE, icon=":material/content_copy:"):
        _duplicate(picked)
    if c4.button("Supprimer", key=DELETE, icon=":material/delete:"):
        _delete(picked, info.identity)


def _free_copy_name(name: str) -> str:
    taken = {i.name for i in ss.saved_list()}
    candidate, n = f"{name} (copie)", 2
    while candidate in taken:
        candidate, n = f"{name} (copie {n})", n + 1
    return candidate


def _duplicate(name: str) -> None:
    try:
        original, _ = ss.load_saved(name)
    except ButdataError as exc:
        st.error(str(exc))
        return
    copy_name = _free_copy_name(name)
    done = _write(original.with_info(name=copy_name), None, f"copie de « {name} » :")
    if done is None:
        return
    saved, identity = done
    ss.works()[ss.saved_key(copy_name)] = ss.Work(saved, saved_as=copy_name, base=identity)
    st.session_state[ss.PENDING] = copy_name
    ss.flash("success", f"« {name} » dupliqué sous le nom « {copy_name} ».")
    st.rerun()


def _delete(name: str, identity: tuple[str, int] | None) -> None:
    try:
        who = auth.require_editor(ACTION, name)
    except ButdataError as exc:
        st.error(str(exc))
        return
    try:
        removed = delete_scenario(ss.db_path(), ss.sources_dir(), name, expected=identity)
    except (ButdataError, OSError) as exc:
        message = str(os_error(exc) if isinstance(exc, OSError) else exc)
        auth.record(who, ACTION, jn.FAILED, file=name, detail=f"suppression : {message}")
        st.error(message)
        return
    auth.record(who, ACTION, jn.OK, file=name, removed=removed, detail=f"suppression de « {name} »")
    ss.works().pop(ss.saved_key(name), None)
    ss.clear()
    ss.flash("success", f"Scénario « {name} » supprimé.")
    st.rerun()
