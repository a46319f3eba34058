"""What every command that reads the store shares: its ``--db`` option and how it opens it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from butdata.errors import ButdataError, printable
from butdata.store import ensure_store, open_store, repair_store

DB_HELP = "fichier de la base (défaut : data/butdata.duckdb ou $BUTDATA_DB, construite si absente)"


def add_db_argument(parser: argparse.ArgumentParser, help: str = DB_HELP) -> None:
    parser.add_argument("--db", type=Path, default=None, help=help)


def open_cli_store(db: Path | None) -> duckdb.DuckDBPyConnection:
    """The default store is built when missing or stale; a named one must exist. Either is
    rebuilt from its sources when damaged (said on stderr, the output stays clean)."""
    if db is None:
        ensure_store()
    elif not Path(db).exists():
        raise ButdataError(
            f"base introuvable : {printable(db)} (lancez `python -m butdata build --db {db}`)"
        )
    elif repair_store(db):
        print(f"base abîmée : reconstruite à partir de ses sources ({db})", file=sys.stderr)
    return open_store(db)
