"""Cached reads of the store for the pages. Every cache key is made of scalars (strings, ints,
tuples of strings) plus the store file's identity, so a rebuilt store is never served stale and
no DataFrame is ever hashed."""

from __future__ import annotations

import functools
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import polars as pl

from butdata.analysis import compare as cmp
from butdata.analysis import queries as q
from butdata.analysis.wide import WideTable, wide_table
from butdata.grading import student as sim
from butdata.store import default_db_path

from .store import cursor


def store_key() -> str:
    """Identity of the current store file (path, inode, mtime): part of every cache key (a
    stat each time: a replaced store is seen at once)."""
    path = default_db_path()
    name = _names.get(path) or _names.setdefault(path, str(path))
    try:
        s = os.stat(name)
    except OSError:
        return f"{name}:absent"
    return f"{name}:{s.st_ino}:{s.st_mtime_ns}"


_names: dict[Path, str] = {}


class _Shared:
    """A view built once per key and shared by every session of the server, never mutated
    after it is built: an LRU of ``max_entries`` keys, each dropped ``ttl`` seconds after it
    was built (keys include the store identity, so a rebuilt store is never served stale and
    the ttl lets the entries of a replaced store leave memory). One build per key at a time
    (the sessions asking for it meanwhile wait and share it); a failed build is not kept.

    Not ``st.cache_resource``: its hit costs ≈ 0.1 ms (argument hashing, the function's
    signature read again on every call), ~1 ms a rerun of every page; a hit here is a dict
    lookup under a lock."""

    def __init__(self, fn: Callable[..., Any], max_entries: int = 256, ttl: float = 3600.0):
        functools.update_wrapper(self, fn)
        self._fn, self._max, self._ttl = fn, max_entries, ttl
        self._entries: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def _fresh(self, key: Hashable) -> tuple[bool, Any]:
        """(True, value) for a key built less than ttl ago; called under ``_lock``."""
        hit = self._entries.get(key)
        if hit is None or time.monotonic() - hit[0] >= self._ttl:
            return False, None
        self._entries.move_to_end(key)
        return True, hit[1]

    def __call__(self, *args: Any) -> Any:
        key = _frozen(args)
        with self._lock:
            found, value = self._fresh(key)
            if found:
                return value
            build = self._building.setdefault(key, threading.Lock())
        with build:
            with self._lock:
                found, value = self._fresh(key)
            if found:  # built by another session while this one waited
                return value
            try:
                value = self._fn(*args)
            finally:
                with self._lock:
                    self._building.pop(key, None)
            with self._lock:
                self._entries[key] = (time.monotonic(), value)
                self._entries.move_to_end(key)
                while len(self._entries) > self._max:
                    self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _frozen(args: tuple[Any, ...]) -> Hashable:
    """The arguments as a dict key: scalars and tuples as they are, a list as a tuple."""
    try:
        hash(args)
        return args
    except TypeError:
        return tuple(tuple(a) if isinstance(a, list) else a for a in args)


_SHARED: list[_Shared] = []  # every function cached with ``shared`` (cleared by clear())


def shared(fn: Callable[..., Any]) -> Any:
    """Share ``fn``'s results by arguments (scalars, the store identity first): see _Shared."""
    cached = _Shared(fn)
    _SHARED.append(cached)
    return cached


@shared
def _overview(key: str) -> pl.DataFrame:
    return q.overview_tables(cursor())


@shared
def _counts(key: str) -> dict[str, int]:
    return q.store_counts(cursor())


@shared
def _sources(key: str) -> pl.DataFrame:
    return q.sources_summary(cursor())


@shared
def _warnings(key: str, source: str | None) -> pl.DataFrame:
    return q.warnings_list(cursor(), source)


@shared
def _warnings_of(key: str, table_ids: tuple[str, ...]) -> pl.DataFrame:
    return q.warnings_of(cursor(), table_ids)


@shared
def _formations(key: str) -> pl.DataFrame:
    return q.formations(cursor())


@shared
def _tables_of(key: str, formation: str, semester: int | None) -> pl.DataFrame:
    return q.tables_of(cursor(), formation, semester)


@shared
def _year_options(key: str, formation: str) -> pl.DataFrame:
    return q.year_options(cursor(), formation)


@shared
def _contents(key: str, table_ids: tuple[str, ...]) -> dict[str, pl.DataFrame]:
    cur = cursor()
    return {
        "tables": q.table_rows(cur, table_ids),
        "coefficients": q.coefficients_of(cur, table_ids),
        "ues": q.ues_of(cur, table_ids),
        "modules": q.modules_of(cur, table_ids),
    }


@shared
def _shares_across(key: str, semesters: tuple[int, ...]) -> pl.DataFrame:
    cur = cursor()
    tables = q.tables_in_semesters(cur, semesters)
    ids = tables["table_id"].to_list()
    summary = cmp.ue_summary(q.coefficients_of(cur, ids), q.ues_of(cur, ids), tables)
    return summary.join(
        tables.select("table_id", "formation", "full_label", "doc", "reliability"),
        on="table_id",
        how="left",
    )


def shares_across(semesters: tuple[int, ...]) -> pl.DataFrame:
    """Every UE of every table of these semesters (all formations) with its SAÉ share."""
    return _shares_across(store_key(), tuple(semesters))


def overview() -> pl.DataFrame:
    return _overview(store_key())


def counts() -> dict[str, int]:
    return _counts(store_key())


def sources() -> pl.DataFrame:
    return _sources(store_key())


def warnings(source: str | None = None) -> pl.DataFrame:
    return _warnings(store_key(), source)


def warnings_of(table_ids) -> pl.DataFrame:
    return _warnings_of(store_key(), tuple(table_ids))


def formations() -> pl.DataFrame:
    return _formations(store_key())


def tables_of(formation: str, semester: int | None = None) -> pl.DataFrame:
    return _tables_of(store_key(), formation, semester)


def year_options(formation: str) -> pl.DataFrame:
    return _year_options(store_key(), formation)


def contents(table_ids) -> dict[str, pl.DataFrame]:
    """``tables`` (with compact ``label``), ``coefficients``, ``ues``, ``modules`` of these tables."""
    return _contents(store_key(), tuple(table_ids))


@shared
def _wide(key: str, table_id: str) -> tuple[WideTable, pl.DataFrame]:
    wide = wide_table(cursor(), table_id)
    return wide, wide.text_frame()


def wide(table_id: str) -> tuple[WideTable, pl.DataFrame]:
    """One table in the module × UE layout, and the same as French text."""
    return _wide(store_key(), table_id)


def clear() -> None:
    for fn in _SHARED:
        fn.clear()


@shared
def _simulation_input(key: str, table_ids: tuple[str, ...]) -> dict:
    from .simulation_view import build_spec

    c = _contents(key, table_ids)
    spec = build_spec(c["tables"], c["coefficients"], c["ues"], c["modules"], table_ids)
    prepared = sim.prepare(c["coefficients"], c["ues"], table_ids, spec["modes"], spec["year"])
    return {"spec": spec, "prepared": prepared, "tables": c["tables"]}


def simulation_input(table_ids) -> dict:
    """Slider spec, the prepared simulation (weights per table) and the tables' rows, for one
    table or a year: everything a slider move needs besides the grades."""
    return _simulation_input(store_key(), tuple(table_ids))


@shared
def _cohort_structure(key: str, table_ids: tuple[str, ...]):
    from butdata.grading import cohort

    inputs = _simulation_input(key, table_ids)
    c = _contents(key, table_ids)
    kinds = {}
    for code, name, kind in (
        c["coefficients"].select("module_code", "module_name", "kind").iter_rows()
    ):
        kinds.setdefault((code or "").strip() or (name or "").strip(), kind)
    return cohort.structure_from(inputs["prepared"], kinds)


def cohort_structure(table_ids):
    """The cohort structure of the same selection as the simulation (same modules, UEs, year)."""
    return _cohort_structure(store_key(), tuple(table_ids))
