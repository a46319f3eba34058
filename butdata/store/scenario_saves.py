"""Saving and deleting scenarios: the store's write path, like an import.

Under the store's write lock (:mod:`butdata.store.lock`, shared with builds and imports): check
that the file on disk is still the version the session started from, write the file atomically
(:func:`butdata.store.manifest.write_atomic`), rebuild the store. If the rebuild fails, the
previous file is put back: nothing changes.

**Two sessions saving one scenario.** A session remembers the identity of the version it opened
(its creation date and version number, :attr:`SavedFile.identity`). A save goes through only if
the file still has that identity; otherwise it raises :class:`ScenarioConflict` (French: who
saved it, when, which version) and writes nothing: the first save is kept, the second
session's work is still in its hands (it can save it under another name). A new scenario may not
take the name of an existing one, nor one whose file name (its slug) is already taken.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from butdata import fmt
from butdata.errors import ButdataError, os_error, printable
from butdata.model import Document
from butdata.store.build import BuildReport, Progress, build_store
from butdata.store.lock import write_lock
from butdata.store.manifest import write_atomic
from butdata.store.read import writable_dir
from butdata.store.scenario_files import (
    SavedFile,
    ScenarioFileError,
    encode,
    file_name,
    read_file,
    scenarios_dir,
)


class ScenarioConflict(ButdataError):
    """The scenario changed on disk since the session opened it (French message); nothing was
    written."""


@dataclass(frozen=True)
class SaveResult:
    file: str  # file name in the scenarios directory
    added: list[str]  # table ids
    replaced: list[str]
    removed: list[str]
    report: BuildReport
    saved: SavedFile


def _who(saved: SavedFile) -> str:
    by = f"par {saved.saved_by}" if saved.saved_by else "par une autre session"
    when = f" le {fmt.timestamp(saved.saved_at.astimezone())}" if saved.saved_at else ""
    return f"{by}{when} (version {saved.version})"


def _existing(path: Path) -> SavedFile | None:
    if not path.exists():
        return None
    try:
        return read_file(path)
    except ScenarioFileError as exc:
        raise ButdataError(
            f"enregistrement refusé : le fichier {path.name} existe mais est illisible ({exc}) ; "
            "choisissez un autre nom"
        ) from None


def _check(
    name: str, current: SavedFile | None, expected: tuple[str, int] | None, path: Path
) -> None:
    if current is not None and current.name != name:
        raise ScenarioConflict(
            f"« {name} » et le scénario enregistré « {current.name} » donnent le même fichier "
            f"({path.name}) : choisissez un nom plus différent. Rien n'a été enregistré."
        )
    if expected is None and current is not None:
        raise ScenarioConflict(
            f"Un scénario « {name} » existe déjà (enregistré {_who(current)}) : choisissez un "
            "autre nom, ou ouvrez-le depuis la liste des scénarios enregistrés. Rien n'a été "
            "enregistré."
        )
    if expected is not None and current is None:
        raise ScenarioConflict(
            f"Le scénario « {name} » a été supprimé depuis que vous l'avez ouvert. Vos "
            "modifications sont toujours à l'écran : enregistrez-les sous un autre nom. Rien "
            "n'a été enregistré."
        )
    if expected is not None and current is not None and current.identity != tuple(expected):
        raise ScenarioConflict(
            f"Conflit : « {name} » a été enregistré {_who(current)} depuis que vous l'avez "
            f"ouvert (version {expected[1]}). Enregistrer maintenant effacerait ces "
            "modifications : rien n'a été enregistré. Vos modifications sont toujours à "
            "l'écran ; enregistrez-les sous un autre nom, ou rouvrez le scénario pour repartir "
            "de la version enregistrée."
        )


def _restore(path: Path, backup: bytes | None) -> None:
    if backup is None:
        path.unlink(missing_ok=True)
    else:
        write_atomic(path, backup)


def _ids(document: Mapping[str, Any] | Document | None) -> list[str]:
    if document is None:
        return []
    if isinstance(document, Document):
        return [t.table_id or "" for t in document.tables]
    return [str(t.get("table_id")) for t in document.get("tables") or []]


def save_scenario(
    db_path: Path,
    sources_dir: Path,
    scenario: Mapping[str, Any],
    document: Document,
    *,
    expected: tuple[str, int] | None,
    saved_by: str | None,
    progress: Progress | None = None,
    now: datetime | None = None,
) -> SaveResult:
    """Save a scenario (its plain form and its document) and rebuild the store; all or
    nothing, one writer at a time. ``expected``: the identity (created, version) of the saved
    version this one started from, None for a new scenario (ScenarioConflict otherwise)."""
    name = str(scenario.get("name") or "").strip()
    if not name:
        raise ButdataError("un scénario doit avoir un nom pour être enregistré")
    sources_dir, db_path = Path(sources_dir), Path(db_path)
    directory = scenarios_dir(sources_dir)
    path = directory / file_name(name)
    with write_lock(db_path):
        if not writable_dir(directory):
            raise ButdataError(
                f"enregistrement impossible : le dossier {printable(directory)} n'est pas "
                "modifiable (la base reste consultable)"
            )
        current = _existing(path)
        _check(name, current, expected, path)
        try:
            backup = path.read_bytes() if current is not None else None
        except OSError as exc:
            raise os_error(exc, path) from None
        when = (now or datetime.now()).astimezone()
        try:
            write_atomic(path, encode(name, scenario, document, saved_by, when))
            report = build_store(sources_dir, db_path, progress)
        except BaseException as exc:
            _restore(path, backup)
            if isinstance(exc, ButdataError):
                raise ButdataError(f"enregistrement annulé, rien n'a changé : {exc}") from None
            raise
        saved = read_file(path)
    old, new = _ids(current.document if current else None), _ids(document)
    return SaveResult(
        path.name,
        [t for t in new if t not in old],
        [t for t in new if t in old],
        [t for t in old if t not in new],
        report,
        saved,
    )


def delete_scenario(
    db_path: Path,
    sources_dir: Path,
    name: str,
    *,
    expected: tuple[str, int] | None,
    progress: Progress | None = None,
) -> list[str]:
    """Delete a saved scenario and rebuild; returns the table ids removed. ``expected``: the
    identity of the version the session saw (ScenarioConflict when it changed since; None
    deletes whatever version is there)."""
    sources_dir, db_path = Path(sources_dir), Path(db_path)
    path = scenarios_dir(sources_dir) / file_name(name)
    with write_lock(db_path):
        current = _existing(path)
        if current is None or current.name != name:
            raise ButdataError(f"scénario introuvable : « {name} » (déjà supprimé ?)")
        if expected is not None and current.identity != tuple(expected):
            raise ScenarioConflict(
                f"« {name} » a été enregistré {_who(current)} depuis que la liste a été "
                "affichée : rien n'a été supprimé ; vérifiez cette version avant de la supprimer."
            )
        backup = path.read_bytes()
        try:
            path.unlink()
            build_store(sources_dir, db_path, progress)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                _restore(path, backup)
            if isinstance(exc, OSError):
                raise os_error(exc, path) from None
            if isinstance(exc, ButdataError):
                raise ButdataError(f"suppression annulée, rien n'a changé : {exc}") from None
            raise
    return _ids(current.document)
