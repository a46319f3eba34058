"""Cached reads of the store for the pages. Every cache key is made of scalars (strings, ints,
tuples of strings) plus the store file's identity, so a rebuilt store is never served stale and
no DataFrame is ever hashed."""

from __future__ import annotations

import os

import polars as pl
import streamlit as st

from butdata.analysis import compare as cmp
from butdata.analysis import queries as q
from butdata.analysis.wide import WideTable, wide_table
from butdata.grading import student as sim
from butdata.store import default_db_path

from .store import cursor


def store_key() -> str:
    """Identity of the current store file (path, inode, mtime): part of every cache key."""
    path = default_db_path()
    try:
        s = os.stat(path)
    except OSError:
        return f"{path}:absent"
    return f"{path}:{s.st_ino}:{s.st_mtime_ns}"


# Keys include the store identity, so a rebuilt store is never served stale; the ttl lets the
# entries of a replaced store leave memory without waiting for eviction.
_cache = st.cache_data(show_spinner=False, max_entries=512, ttl=3600)
# What a page draws as it is (figures, frames ready to show): one object shared by every session,
# not copied on each hit as st.cache_data does; never mutated after it is built.
_shared_cache = st.cache_resource(show_spinner=False, max_entries=256, ttl=3600)
_SHARED: list = []  # every function cached with ``shared`` (cleared with the data caches)


def shared(fn):
    """``st.cache_resource`` for views keyed by scalars (the store identity first)."""
    cached = _shared_cache(fn)
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
    for fn in (*_SHARED, _simulation_input, _cohort_structure):
        fn.clear()


@_cache
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


@_cache
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
