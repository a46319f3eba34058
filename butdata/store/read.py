"""Where the store lives and how it is opened: read-only, by any number of processes."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from butdata.errors import ButdataError

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_SOURCES = PROJECT_DIR / "data" / "sources"
DEFAULT_DB = PROJECT_DIR / "data" / "butdata.duckdb"


def default_db_path() -> Path:
    return Path(os.environ.get("BUTDATA_DB") or DEFAULT_DB)


def open_store(db_path: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection (many processes may read one file; use ``.cursor()`` per thread)."""
    db_path = Path(db_path or default_db_path())
    if not db_path.exists():
        raise ButdataError(f"base introuvable : {db_path} (lancez `python -m butdata build`)")
    return duckdb.connect(str(db_path), read_only=True)


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
        con.close()


def records(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict]:
    """Rows of a parameterised query as dicts (column name -> value), on its own cursor."""
    cur = con.cursor()
    try:
        cur.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]
    finally:
        cur.close()
