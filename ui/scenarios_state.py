"""The Scénarios page's session: the scenarios being worked on (one per origin or saved name),
where they are saved, what was saved last, and the stored reads the page needs.

A « work » is a scenario in the hands of this session: its current state (edits, undo/redo),
the saved name it is bound to and the identity (created, version) of the saved version it
started from — the version check of a save compares the file on disk with it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from butdata.analysis import queries as q
from butdata.analysis.conformity import Finding, check_frames
from butdata.analysis.conformity_rules import ConformitySettings
from butdata.labels import document_name
from butdata.scenarios import Scenario
from butdata.store import default_db_path
from butdata.store import scenario_files as sf

from . import data
from .donnees import sources_dir
from .store import cursor

WORKS = "_scn_works"  # work key -> Work
PENDING = "_scn_pending"  # saved name to select at the next run (after a save or an « Ouvrir »)
FLASH = "_scn_flash"  # (kind, text) messages shown once at the next run
NEW = "__nouveau__"  # the selector's option for a new scenario


@dataclass
class Work:
    scenario: Scenario
    saved_as: str | None = None  # the saved name it is bound to (None: never saved)
    base: tuple[str, int] | None = None  # identity of the saved version it started from
    uid: str = field(default_factory=lambda: secrets.token_hex(3))
    gen: int = 0  # bumped when the grid's pending edits are consumed (fresh editors)
    _checked: dict[Any, list[Finding]] = field(default_factory=dict)

    @property
    def unsaved(self) -> bool:
        """Changes not saved: a new scenario, or edits since the saved version."""
        return self.base is None or self.base != (
            self.scenario.created.isoformat(),
            self.scenario.version,
        )

    def findings(self, settings: ConformitySettings) -> list[Finding]:
        """Conformity of the current proposal (cached per version and settings)."""
        key = (self.scenario.version, self.scenario.name, settings)
        if key not in self._checked:
            self._checked = {key: check_frames(self.scenario.frames(), settings)}
        return self._checked[key]


def works() -> dict[str, Work]:
    found = st.session_state.get(WORKS)
    if not isinstance(found, dict):
        found = {}
        st.session_state[WORKS] = found
    return found


def new_key(table_ids: tuple[str, ...]) -> str:
    return "new:" + "|".join(table_ids)


def saved_key(name: str) -> str:
    return "saved:" + name


def flash(kind: str, text: str) -> None:
    st.session_state.setdefault(FLASH, []).append((kind, text))


def show_flashes() -> None:
    for kind, text in st.session_state.pop(FLASH, []):
        {"success": st.success, "error": st.error, "warning": st.warning}.get(kind, st.info)(text)


# --------------------------------------------------------------------------- stored reads


def scenarios_dir() -> Path:
    return sf.scenarios_dir(sources_dir())


def db_path() -> Path:
    return default_db_path()


def _signature(directory: Path) -> tuple[tuple[str, int, int], ...]:
    out = []
    for path in sf.files(directory):
        try:
            s = path.stat()
        except OSError:
            continue
        out.append((path.name, s.st_mtime_ns, s.st_size))
    return tuple(out)


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _listing(directory: str, signature: tuple[tuple[str, int, int], ...]) -> list[sf.SavedInfo]:
    return sf.list_saved(Path(directory))


def saved_list() -> list[sf.SavedInfo]:
    """The saved scenarios (read again whenever a file of the directory changes)."""
    directory = scenarios_dir()
    return _listing(str(directory), _signature(directory))


def load_saved(name: str) -> tuple[Scenario, tuple[str, int]]:
    """A saved scenario and the identity of its version (ButdataError in French)."""
    found = sf.find(scenarios_dir(), name)
    if found is None:
        raise sf.ScenarioFileError(f"scénario introuvable : « {name} »")
    return Scenario.from_dict(found.scenario), found.identity


@st.cache_data(show_spinner=False, max_entries=64, ttl=3600)
def _frames(key: str, table_ids: tuple[str, ...]) -> dict[str, pl.DataFrame]:
    return q.table_frames(cursor(), table_ids)


def origin_frames(table_ids: tuple[str, ...]) -> dict[str, pl.DataFrame]:
    """The stored rows of the origin tables, shaped like the store views."""
    return _frames(data.store_key(), tuple(table_ids))


def clear() -> None:
    _listing.clear()
    data.clear()
    _frames.clear()


# --------------------------------------------------------------------------- about the origin


def settings(band: tuple[float, float]) -> ConformitySettings:
    """The conformity settings the page shows (the SAÉ band is a local setting)."""
    return ConformitySettings(sae_band=band)


def origin_labels(s: Scenario) -> list[str]:
    """How people name the origin tables (« S3 · QMI · MCC QLIO 2025-2026 »)."""
    rows = data.contents(tuple(s.origin))["tables"]
    labels = dict(zip(rows["table_id"].to_list(), rows["label"].to_list()))
    return [labels.get(t, t) for t in s.origin]


def origin_sources(s: Scenario) -> list[str]:
    """The origin's documents, as people name them, and lines (« MCC QLIO 2025-2026, ligne 348 »)."""
    docs = {r["source"]: r for r in data.sources().iter_rows(named=True)}

    def name(source: str) -> str:
        d = docs.get(source, {})
        return document_name(source, d.get("title"), d.get("year"))

    return [
        f"{name(t.source)}, ligne {t.source_line}" if t.source else t.table_id
        for t in s.base.tables
    ]


def origin_caption(s: Scenario) -> str:
    parts = [f"Copie de {', '.join(origin_labels(s))} ({'; '.join(origin_sources(s))})"]
    if s.author:
        parts.append(f"auteur : {s.author}")
    parts.append(f"version {s.version}")
    return " · ".join(parts)
