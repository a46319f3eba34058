"""The register of the files imported through the page: ``<sources>/.imports.json``.

A spreadsheet in the sources directory is read in one of two ways:

- put there by whoever runs the server (``build --sources DIR``, a copied export): trusted, its
  ``source`` / ``table_id`` / ``*_line`` columns are the provenance it carries (this is what
  makes the exact round trip of an export possible);
- imported through the page (listed here): its values are attributed to the file itself, the
  ``source`` it claims is kept apart (``tables.declared_source``) and its table ids are
  qualified by its file name (``ids.namespaced_id``), so that no upload can pass itself off
  as an official document or take another file's ids.

The register also records who imported each file, when, its size and hash (quotas are counted
from it), and the ids of the tables the importer left out (``excluded``: the build reads the file
without them, so they never reach the store). It is written atomically, under the store's write
lock, with the file it describes. The dot name keeps it out of ``readers.source_files``; it is
part of the sources' fingerprint.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from butdata.errors import os_error, reason
from butdata.store.lock import temporary_path

MANIFEST = ".imports.json"


@dataclass(frozen=True)
class ImportRecord:
    name: str  # file name in the sources directory
    sha256: str
    size: int
    author: str | None  # who imported it (None when not signed in / not known)
    imported_at: str  # ISO 8601, local time
    excluded: tuple[str, ...] = ()  # ids of the file's tables left out of the store


class ManifestError(Exception):
    """The register exists but cannot be read (every spreadsheet is then read as imported)."""


def manifest_path(sources_dir: Path) -> Path:
    return Path(sources_dir) / MANIFEST


def read_manifest(sources_dir: Path) -> dict[str, ImportRecord]:
    """name -> record; empty when there is no register. ManifestError when it is unreadable."""
    path = manifest_path(sources_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ManifestError(str(os_error(exc, path))) from None
    try:
        data = json.loads(raw.decode("utf-8"))
        return {
            str(name): ImportRecord(
                name=str(name),
                sha256=str(r.get("sha256", "")),
                size=int(r.get("size", 0)),
                author=None if r.get("author") is None else str(r["author"]),
                imported_at=str(r.get("imported_at", "")),
                excluded=_ids(r.get("excluded", [])),
            )
            for name, r in data.get("files", {}).items()
        }
    except (ValueError, AttributeError, TypeError) as exc:
        raise ManifestError(f"{MANIFEST} illisible : {reason(exc)}") from None


def _ids(value: object) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TypeError("excluded")
    return tuple(value)


def write_manifest(sources_dir: Path, records: dict[str, ImportRecord]) -> None:
    path = manifest_path(sources_dir)
    body = {
        "about": "fichiers importés par la page Données (voir README, « Provenance »)",
        "files": {
            name: {
                k: list(v) if k == "excluded" else v
                for k, v in asdict(r).items()
                if k != "name" and not (k == "excluded" and not v)
            }
            for name, r in sorted(records.items())
        },
    }
    write_atomic(path, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))


def new_record(
    name: str, sha256: str, size: int, author: str | None, excluded: tuple[str, ...] = ()
) -> ImportRecord:
    return ImportRecord(
        name, sha256, size, author, time.strftime("%Y-%m-%dT%H:%M:%S"), tuple(excluded)
    )


def write_atomic(target: Path, data: bytes) -> None:
    """Write ``target`` through a unique dot-named temporary file (ignored by source_files()
    while it is written), flushed to disk, then moved over the target."""
    target = Path(target)
    tmp = temporary_path(target.with_name(f".{target.name}"))
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        raise os_error(exc, target) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
