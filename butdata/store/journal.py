"""The journal of changes: one JSON line per write asked of the store (import, deletion, saved
scenario…), successful, failed or refused, beside the store file.

Append-only: each entry is one ``os.write`` of one complete line on a file opened with
``O_APPEND``, under an exclusive ``flock`` (POSIX), then ``fsync``: concurrent writers (threads of
one server, several processes) never interleave or lose a line, and a crash leaves at most a
truncated last line, which ``read`` reports instead of failing.

Line format (keys in this order; lists of table ids)::

    {"at": "2026-12-01T10:42:05+01:00", "author": "marie", "role": "éditeur",
     "method": "mot de passe", "action": "import", "file": "mcc_gea.csv", "outcome": "réussi",
     "added": ["…"], "replaced": [], "removed": [], "detail": "…"}
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from butdata.errors import ButdataError

try:  # POSIX; elsewhere O_APPEND alone keeps small single writes whole
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

JOURNAL_ENV = "BUTDATA_JOURNAL"
OK, FAILED, REFUSED = "réussi", "échoué", "refusé"
OUTCOMES = (OK, FAILED, REFUSED)
ACTION_LABELS = {
    "import": "import d'un fichier",
    "suppression": "suppression d'un fichier importé",
    "scénario": "enregistrement d'un scénario",
}
UNREADABLE = "illisible"  # outcome shown for a damaged line (e.g. cut by a crash)

SCHEMA: dict[str, Any] = {
    "at": pl.Datetime("us", "UTC"),
    "author": pl.String,
    "role": pl.String,
    "method": pl.String,
    "action": pl.String,
    "file": pl.String,
    "outcome": pl.String,
    "added": pl.List(pl.String),
    "replaced": pl.List(pl.String),
    "removed": pl.List(pl.String),
    "detail": pl.String,
    "line": pl.Int64,
}


def journal_path(db_path: Path) -> Path:
    """``$BUTDATA_JOURNAL``, else beside the store: ``data/butdata.duckdb`` ->
    ``data/butdata.journal.jsonl`` (one journal per store file)."""
    env = os.environ.get(JOURNAL_ENV)
    if env:
        return Path(env)
    db_path = Path(db_path)
    return db_path.with_name(f"{db_path.stem}.journal.jsonl")


def _ids(values: Iterable[str]) -> list[str]:
    return [str(v) for v in values]


def entry(
    *,
    author: str | None,
    role: str,
    method: str,
    action: str,
    outcome: str,
    file: str | None = None,
    added: Iterable[str] = (),
    replaced: Iterable[str] = (),
    removed: Iterable[str] = (),
    detail: str = "",
    at: datetime | None = None,
) -> dict[str, Any]:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    when = at if at is not None and at.tzinfo is not None else (at or datetime.now()).astimezone()
    return {
        "at": when.isoformat(timespec="seconds"),
        "author": author,
        "role": role,
        "method": method,
        "action": action,
        "file": file,
        "outcome": outcome,
        "added": _ids(added),
        "replaced": _ids(replaced),
        "removed": _ids(removed),
        "detail": detail,
    }


def check_writable(path: Path) -> None:
    """Raise a French error when the journal cannot be appended to (checked before a write, so
    that no change happens unlogged)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.close(fd)
    except OSError as exc:
        raise ButdataError(
            f"le journal des modifications {path} n'est pas accessible en écriture "
            f"({exc.strerror}) : aucune modification n'est faite sans y être inscrite"
        ) from None


def record(path: Path, **fields: Any) -> dict[str, Any]:
    """Append one entry (see ``entry`` for the fields) as one line; returns it."""
    item = entry(**fields)
    line = (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        written = 0
        while written < len(line):  # a regular file takes it in one call; loop for safety
            written += os.write(fd, line[written:])
        os.fsync(fd)
    finally:
        os.close(fd)  # releases the flock
    return item


def _row(number: int, text: str) -> dict[str, Any]:
    try:
        item = json.loads(text)
        if not isinstance(item, dict):
            raise ValueError("not an object")
        at = datetime.fromisoformat(item["at"])
    except (ValueError, KeyError, TypeError):
        return {
            **{k: None for k in SCHEMA},
            "added": [],
            "replaced": [],
            "removed": [],
            "outcome": UNREADABLE,
            "detail": f"ligne {number} du journal illisible",
            "line": number,
        }
    row: dict[str, Any] = {}
    for key in SCHEMA:
        value = item.get(key)
        if key in ("added", "replaced", "removed"):
            value = [str(v) for v in value] if isinstance(value, list) else []
        elif key != "line" and value is not None:
            value = str(value)
        row[key] = value
    row["at"], row["line"] = at, number
    return row


def read(path: Path, limit: int | None = None) -> pl.DataFrame:
    """The journal as a frame (one row per line, newest first; ``at`` in UTC), at most ``limit``
    rows; empty (with the columns) when there is no journal yet."""
    try:
        raw = Path(path).read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        raw = ""
    lines: Sequence[tuple[int, str]] = [
        (i, t) for i, t in enumerate(raw.splitlines(), start=1) if t.strip()
    ]
    lines = list(reversed(lines))
    if limit is not None:
        lines = lines[:limit]
    return pl.DataFrame([_row(i, t) for i, t in lines], schema=SCHEMA, orient="row")
