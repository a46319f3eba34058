"""Where the store lives and how it is opened: read-only, by any number of processes, after an
integrity check (a store cut short by a full disk or a bad copy is found on open, not halfway
through a page)."""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from pathlib import Path
from typing import Any

import duckdb

from butdata.errors import ButdataError, StoreDamaged, os_error, printable
from butdata.store.schema import SCHEMA_VERSION

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_SOURCES = PROJECT_DIR / "data" / "sources"
DEFAULT_DB = PROJECT_DIR / "data" / "butdata.duckdb"


def default_db_path() -> Path:
    return store_location()[0]


def store_notice() -> str | None:
    """French notice when the store is not where it is expected (read-only data directory)."""
    return store_location()[1]


# (BUTDATA_DB, XDG_CACHE_HOME, HOME) → location: asked a dozen times per rerun of a page (every
# view's key includes the store), so the answer is kept per environment, read every time.
_locations: dict[tuple[str, str, str], tuple[Path, str | None]] = {}


def store_location() -> tuple[Path, str | None]:
    """``$BUTDATA_DB``, else ``data/butdata.duckdb`` when ``data/`` is writable, else the user's
    cache directory (``$XDG_CACHE_HOME/butdata``, default ``~/.cache/butdata``) with a notice:
    a read-only checkout still gets a store instead of an error on every page."""
    env = os.environ.get
    key = (env("BUTDATA_DB") or "", env("XDG_CACHE_HOME") or "", env("HOME") or "")
    found = _locations.get(key)
    if found is None:
        found = _locations[key] = _locate(key[0], key[1])
    return found


def _locate(env_db: str, xdg_cache: str) -> tuple[Path, str | None]:
    if env_db:
        return Path(env_db), None
    default = DEFAULT_DB
    if writable_dir(default.parent):
        return default, None
    fallback = Path(xdg_cache or Path.home() / ".cache") / "butdata" / default.name
    return (
        fallback,
        f"Le dossier {printable(default.parent)} n'est pas modifiable : la base est "
        f"construite dans {printable(fallback)} (dossier de cache de l'utilisateur).",
    )


def writable_dir(directory: Path) -> bool:
    """Whether files can be created in ``directory`` (created if missing). Tried for real:
    ``os.access`` says yes to root even where the write then fails."""
    try:
        Path(directory).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            return True
    except OSError:
        return False


def check_store(db_path: Path) -> str | None:
    """What is wrong with a store file, in French, or None when it reads in full."""
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error as exc:
        return f"ouverture impossible : {_first_line(exc)}"
    try:
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        version = meta.get("schema_version")
        if version != SCHEMA_VERSION:
            return f"schéma {version or 'inconnu'} d'une autre version (attendu : {SCHEMA_VERSION})"
        # Every private table read in full (DuckDB verifies each block's checksum as it reads
        # it: a cut or corrupt file fails here), then every public view queried once.
        for table in (
            "meta",
            "t_sources",
            "t_tables",
            "t_ues",
            "t_modules",
            "t_coefficients",
            "t_warnings",
            "t_table_counts",
        ):
            con.execute(f"SELECT count(*), sum(hash(COLUMNS(*))) FROM {table}").fetchall()
        for view in ("sources", "tables", "ues", "coefficients", "modules", "warnings"):
            con.execute(f"SELECT * FROM {view} LIMIT 1").fetchall()
    except duckdb.Error as exc:
        return f"lecture impossible : {_first_line(exc)}"
    finally:
        con.close()
    return None


def _first_line(exc: BaseException) -> str:
    return printable(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)


# Versions of store files checked sound: (device, inode, mtime, size), not the path, so that
# the app's hard link to a store just checked (ui.store) is not checked a second time.
_verified: set[tuple[int, int, int, int]] = set()
_verified_lock = threading.Lock()


def file_identity(db_path: Path) -> tuple[str, int, int, int]:
    st = os.stat(db_path)
    return str(db_path), st.st_ino, st.st_mtime_ns, st.st_size


def verify_store(db_path: Path) -> None:
    """Raise StoreDamaged unless the store reads in full; each version of the file (inode,
    mtime, size) is checked once per process."""
    try:
        st = os.stat(db_path)
    except OSError as exc:
        raise os_error(exc, db_path) from None
    identity = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)
    with _verified_lock:
        if identity in _verified:
            return
    problem = check_store(db_path)
    if problem:
        raise StoreDamaged(db_path, problem)
    with _verified_lock:
        _verified.add(identity)


def _usable_path(db_path: Path) -> Path:
    db_path = Path(db_path)
    if db_path.is_dir():
        raise ButdataError(
            f"« {printable(db_path)} » est un dossier : indiquez le fichier de la base "
            f"(par exemple {printable(db_path / 'butdata.duckdb')})"
        )
    if not db_path.exists():
        raise ButdataError(
            f"base introuvable : {printable(db_path)} (lancez `python -m butdata build`)"
        )
    return db_path


def open_store(db_path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection (many processes may read one file; use ``.cursor()`` per
    thread), after the integrity check. ButdataError / StoreDamaged in French otherwise."""
    path = _usable_path(Path(db_path or default_db_path()))
    verify_store(path)
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise StoreDamaged(path, f"ouverture impossible : {_first_line(exc)}") from None


def store_meta(db_path: Path) -> dict[str, str]:
    """The store's meta table (empty when the file is not a readable store)."""
    try:
        con = duckdb.connect(str(db_path), read_only=True)
    except duckdb.Error:
        return {}
    try:
        return dict(con.execute("SELECT key, value FROM meta").fetchall())
    except duckdb.Error:
        return {}
    finally:
        with contextlib.suppress(duckdb.Error):
            con.close()


def records(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    """Rows of a parameterised query as dicts (column name -> value), on its own cursor."""
    cur = con.cursor()
    try:
        cur.execute(sql, params)
        names = [d[0] for d in cur.description or []]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        cur.close()
