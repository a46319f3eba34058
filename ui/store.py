"""The app's one read-only DuckDB connection, rebuilt when the store file is replaced."""

from __future__ import annotations

import os

import duckdb
import streamlit as st

from butdata.errors import StoreDamaged, os_error
from butdata.store import default_db_path, ensure_store, open_store, repair_store


def _file_identity() -> tuple[str, int, int]:
    path = default_db_path()
    st_ = os.stat(path)
    return str(path), st_.st_ino, st_.st_mtime_ns


def _still_current(entry: tuple[duckdb.DuckDBPyConnection, tuple[str, int, int]]) -> bool:
    """A rebuild replaces the file (new inode): drop the connection that still sees the old one."""
    con, identity = entry
    try:
        current = _file_identity()
    except OSError:
        current = None
    if current != identity:
        con.close()  # a new connect() to the same path sees old data while any connection is open
        return False
    return True


@st.cache_resource(validate=_still_current, show_spinner=False)
def _connection(path: str) -> tuple[duckdb.DuckDBPyConnection, tuple[str, int, int]]:
    """Opened after the store's integrity check; a store damaged while the app runs is rebuilt
    from its sources here (StoreDamaged, in French, when it cannot be)."""
    try:
        open_store(path).close()  # the integrity check of this version of the file
    except StoreDamaged:
        repair_store(path)
    # Identity first: if the file is replaced right after, the next check sees a new identity
    # and reconnects (the other order could pin the old file under the new identity).
    identity = _file_identity()
    return open_store(path), identity


_checked: set[str] = set()  # stores checked against their sources in this server process


def ensure_built() -> None:
    """Build the store from data/sources when missing, or stale since the sources changed
    (checked once per server process), with a visible progress bar."""
    path = default_db_path()
    if str(path) in _checked and path.exists():
        return
    bar = st.progress(0.0, text="Vérification de la base…")
    try:
        ensure_store(
            path,
            progress=lambda f, msg: bar.progress(
                min(f, 1.0), text=f"Construction de la base : {msg}"
            ),
        )
    except OSError as exc:  # e.g. a data directory that cannot be written: said in French
        raise os_error(exc) from None
    finally:
        bar.empty()
    _checked.add(str(path))


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the shared read-only connection (one per query/thread)."""
    ensure_built()
    con, _ = _connection(str(default_db_path()))
    return con.cursor()
