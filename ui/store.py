"""The app's one read-only DuckDB connection, rebuilt when the store file is replaced."""

from __future__ import annotations

import itertools
import os
import threading
import time
from pathlib import Path

import duckdb
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from butdata.errors import StoreDamaged, os_error
from butdata.store import default_db_path, ensure_store, open_store, repair_store


def _file_identity() -> tuple[str, int, int]:
    path = default_db_path()
    st_ = os.stat(path)
    return str(path), st_.st_ino, st_.st_mtime_ns


# Connections to replaced files, closed once no reader can still be using them. Closing at once
# failed under load (an import while 20 sessions read): DuckDB refuses to close a connection
# busy with another thread's query, and closing it kills the cursors other threads still hold.
RETIRE_AFTER_S = 60.0
_retired: list[tuple[float, duckdb.DuckDBPyConnection]] = []
_retired_lock = threading.Lock()
_links = itertools.count()
_shared_instance: set[int] = set()  # connections opened without a link (closed at once)


def _close_retired(now: float) -> None:
    with _retired_lock:
        keep = []
        for since, con in _retired:
            if now - since < RETIRE_AFTER_S:
                keep.append((since, con))
                continue
            try:
                con.close()
            except duckdb.Error:  # still busy: next time
                keep.append((since, con))
        _retired[:] = keep


def _still_current(entry: tuple[duckdb.DuckDBPyConnection, tuple[str, int, int]]) -> bool:
    """A rebuild replaces the file (new inode): retire the connection that still sees the old one."""
    con, identity = entry
    now = time.monotonic()
    _close_retired(now)
    try:
        current = _file_identity()
    except OSError:
        current = None
    if current != identity:
        if id(con) in _shared_instance:  # a new connect() would see the old file until closed
            _shared_instance.discard(id(con))
            try:
                con.close()
                return False
            except duckdb.Error:
                pass
        with _retired_lock:
            _retired.append((now, con))
        return False
    return True


def _open_own_instance(path: str) -> duckdb.DuckDBPyConnection:
    """A connection on a DuckDB instance of its own: DuckDB shares one instance per path, which
    keeps serving a replaced file while any connection to that path is open. Opening through a
    hard link with a unique name (removed at once: the open file stays) gives each store file
    its own instance, so the old one can be retired lazily."""
    link = Path(path).with_name(f".{Path(path).name}.{os.getpid()}.{next(_links)}.lnk")
    try:
        os.link(path, link)
    except OSError:  # no hard links here: the shared instance, closed as soon as replaced
        con = open_store(path)
        _shared_instance.add(id(con))
        return con
    try:
        return open_store(link)
    finally:
        link.unlink(missing_ok=True)


@st.cache_resource(validate=_still_current, show_spinner=False)
def _connection(path: str) -> tuple[duckdb.DuckDBPyConnection, tuple[str, int, int]]:
    """Opened after the store's integrity check; a store damaged while the app runs is rebuilt
    from its sources here (StoreDamaged, in French, when it cannot be)."""
    try:
        open_store(path).close()  # the integrity check of this version of the file
    except StoreDamaged:
        repair_store(path)
    identity = _file_identity()  # before opening: a replacement in between is seen next time
    return _open_own_instance(path), identity


_checked: set[str] = set()  # stores checked against their sources in this server process


def ensure_built(preload_charts: bool = True) -> None:
    """Build the store from data/sources when missing, or stale since the sources changed
    (checked once per server process), with a visible progress bar. ``preload_charts``: the
    page draws plotly charts, so the browser loads plotly.js during the build."""
    path = default_db_path()
    if str(path) in _checked and path.exists():
        return
    bar = st.progress(0.0, text="Vérification de la base…")
    loader = _load_chart_library() if preload_charts else st.empty()
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
        loader.empty()
    _checked.add(str(path))


def _load_chart_library() -> DeltaGenerator:
    """An empty chart, hidden (layout._CSS), removed once the store is ready: the browser
    fetches and starts plotly.js (≈ 1.4 s of its own work on a fresh server's home page,
    measured) while the server builds the store, instead of after it."""
    loader = st.empty()
    with loader.container(key=CHART_LIBRARY_KEY):
        st.plotly_chart(go.Figure(), key="chart-library", config={"staticPlot": True})
    return loader


CHART_LIBRARY_KEY = "chart-library-loader"


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor on the shared read-only connection (one per query/thread)."""
    ensure_built()
    con, _ = _connection(str(default_db_path()))
    return con.cursor()


def meta() -> dict[str, str]:
    """The store's ``meta`` table, read on the shared connection when the file changed:
    ``store_meta`` opens a new DuckDB connection (≈ 25 ms), which a page drawing several « voir
    la source » excerpts paid once per excerpt on every rerun."""
    try:
        identity = _file_identity()
    except OSError:
        return {}
    if _meta_cache.get("identity") != identity:  # first read, or the file was replaced
        cur = cursor()
        try:
            rows = dict(cur.execute("SELECT key, value FROM meta").fetchall())
        except duckdb.Error:
            return {}
        finally:
            cur.close()
        _meta_cache.clear()
        _meta_cache.update(identity=identity, rows=rows)
    rows_now = _meta_cache["rows"]
    return dict(rows_now) if isinstance(rows_now, dict) else {}


_meta_cache: dict[
    str, object
] = {}  # {"identity": file identity, "rows": meta} of the last store read
