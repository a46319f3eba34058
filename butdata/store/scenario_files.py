"""Saved scenarios on disk: one JSON file per scenario in ``scenarios/`` beside the sources
directory (``data/sources`` → ``data/scenarios``), never among the documents.

A file holds the scenario in its plain form (``butdata.scenarios.Scenario.to_dict``: origin,
steps, author, note, dates, version), who saved it last and when, and the document it gave when
it was saved (``butdata.scenarios.to_document``, as plain data). The build reads that document,
so the store (which sits below the scenarios package) needs nothing but :mod:`butdata.model`:
every saved scenario becomes a document of kind ``scenario`` whose tables carry the source
« scénario : NAME », with the origin table and the change list as its warnings. What the build
takes is checked here: the source of the document and of its tables is always the scenario's
own, its table ids always start with ``scenario-``, so a file can never pass its values off as a
department's document.

The file name is the slug of the scenario's name (``Proposition 2026`` →
``proposition-2026.json``): a name cannot reach outside the directory, and two names with the
same slug (which would give the same table ids) cannot both be saved. Writes are in
:mod:`butdata.store.scenario_saves` (under the store's write lock).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from butdata.errors import ButdataError, printable
from butdata.model import UE, Coefficient, Document, Issue, Module, Table
from butdata.settings import limits, size_text
from butdata.store.read import DEFAULT_SOURCES
from butdata.text import slug

FORMAT = "butdata.saved-scenario/1"
DIRECTORY = "scenarios"
SUFFIX = ".json"
SOURCE_PREFIX = "scénario : "  # butdata.scenarios.scenario_source (kept equal by a test)
ID_PREFIX = "scenario-"  # butdata.scenarios.document.scenario_key


class ScenarioFileError(ButdataError):
    """A saved scenario that cannot be read (French message naming the file)."""


def scenarios_dir(sources_dir: Path) -> Path:
    """Where the saved scenarios of a sources directory live: ``scenarios/`` beside it; for the
    project's own ``data/sources``, ``$BUTDATA_SCENARIOS`` when set (the test suite points it
    elsewhere, so that scenarios saved in a local app never reach its stores)."""
    sources = Path(sources_dir).resolve()
    override = os.environ.get("BUTDATA_SCENARIOS")
    if override and sources == DEFAULT_SOURCES.resolve():
        return Path(override)
    return sources.parent / DIRECTORY


def file_name(name: str) -> str:
    """``Proposition 2026`` → ``proposition-2026.json`` (ASCII, no path)."""
    return f"{slug(name) or 'sans-nom'}{SUFFIX}"


def source_of(name: str) -> str:
    return f"{SOURCE_PREFIX}{name}"


# --------------------------------------------------------------------------- documents as data


def document_to_dict(doc: Document) -> dict[str, Any]:
    return asdict(doc)


def _make(cls: type[Any], data: Mapping[str, Any], **nested: Any) -> Any:
    """``cls`` from a dict of its fields (unknown keys ignored, missing ones defaulted)."""
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names and k not in nested}, **nested)


def _coefficient(data: Mapping[str, Any]) -> Coefficient:
    box = data.get("bbox")
    return _make(Coefficient, data, bbox=tuple(box) if box else None)  # type: ignore[no-any-return]


def document_from_dict(data: Mapping[str, Any]) -> Document:
    tables = [
        _make(
            Table,
            t,
            ues=[_make(UE, u) for u in t.get("ues", [])],
            modules=[_make(Module, m) for m in t.get("modules", [])],
            coefficients=[_coefficient(c) for c in t.get("coefficients", [])],
            issues=[_make(Issue, i) for i in t.get("issues", [])],
        )
        for t in data.get("tables", [])
    ]
    issues = [_make(Issue, i) for i in data.get("issues", [])]
    return _make(Document, data, tables=tables, issues=issues)  # type: ignore[no-any-return]


# --------------------------------------------------------------------------- one file


@dataclass(frozen=True)
class SavedFile:
    """One saved scenario as read from its file."""

    path: Path
    name: str
    scenario: dict[str, Any]  # the plain form of butdata.scenarios.Scenario
    document: dict[str, Any]
    saved_by: str | None
    saved_at: datetime | None
    sha256: str

    @property
    def version(self) -> int:
        return int(self.scenario.get("version") or 0)

    @property
    def created(self) -> str:
        return str(self.scenario.get("created") or "")

    @property
    def identity(self) -> tuple[str, int]:
        """What a session that opened this version compares before saving over it."""
        return self.created, self.version


def encode(
    name: str,
    scenario: Mapping[str, Any],
    document: Document,
    saved_by: str | None,
    saved_at: datetime,
) -> bytes:
    """The bytes of a saved scenario's file."""
    body = {
        "format": FORMAT,
        "about": "scénario enregistré par la page Scénarios (voir README, « Conformité et "
        "scénarios ») ; ni document source, ni données d'un document",
        "name": name,
        "saved_by": saved_by,
        "saved_at": saved_at.isoformat(timespec="seconds"),
        "scenario": dict(scenario),
        "document": document_to_dict(document),
    }
    return json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8")


def _when(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def read_file(path: Path) -> SavedFile:
    """A saved scenario's file, checked (ScenarioFileError in French naming the file)."""
    path = Path(path)
    cap = limits().max_file_bytes
    try:
        size = path.stat().st_size
        if size > cap:
            raise ScenarioFileError(
                f"scénario {path.name} trop gros ({size_text(size)} ; plafond {size_text(cap)})"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioFileError(
            f"scénario {printable(path.name)} illisible ({exc.strerror})"
        ) from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ScenarioFileError(f"scénario {path.name} illisible : JSON invalide ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ScenarioFileError(
            f"{path.name} n'est pas un scénario enregistré (format attendu : {FORMAT})"
        )
    name, scenario, document = data.get("name"), data.get("scenario"), data.get("document")
    if not isinstance(name, str) or not name.strip():
        raise ScenarioFileError(f"scénario {path.name} sans nom")
    if not isinstance(scenario, dict) or scenario.get("name") != name:
        raise ScenarioFileError(f"scénario {path.name} : le scénario ne porte pas le nom {name!r}")
    if not isinstance(document, dict):
        raise ScenarioFileError(f"scénario {path.name} : document absent")
    if file_name(name) != path.name:
        raise ScenarioFileError(
            f"scénario {path.name} : son nom « {name} » donnerait le fichier {file_name(name)}"
        )
    saved_by = data.get("saved_by")
    return SavedFile(
        path,
        name,
        scenario,
        document,
        None if saved_by is None else str(saved_by),
        _when(data.get("saved_at")),
        hashlib.sha256(raw).hexdigest(),
    )


def find(directory: Path, name: str) -> SavedFile | None:
    """The saved scenario named ``name`` (None when there is none); ScenarioFileError when its
    file exists but cannot be read."""
    path = Path(directory) / file_name(name)
    if not path.is_file():
        return None
    found = read_file(path)
    return found if found.name == name.strip() else None


def files(directory: Path) -> list[Path]:
    """The saved scenarios' files, by name (temporary dot files left out)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    try:
        return sorted(
            p for p in directory.iterdir() if p.suffix == SUFFIX and not p.name.startswith(".")
        )
    except OSError:
        return []


# --------------------------------------------------------------------------- listing


@dataclass(frozen=True)
class SavedInfo:
    """A line of the list of saved scenarios (``problem``: why the file cannot be read)."""

    file: str
    name: str
    author: str | None = None
    note: str | None = None
    created: datetime | None = None
    updated: datetime | None = None
    version: int | None = None
    saved_by: str | None = None
    saved_at: datetime | None = None
    origin: tuple[str, ...] = ()
    n_changes: int = 0
    table_ids: tuple[str, ...] = ()
    identity: tuple[str, int] | None = None
    problem: str | None = None


def info_of(saved: SavedFile) -> SavedInfo:
    s = saved.scenario
    steps = s.get("steps") or []
    tables = saved.document.get("tables") or []
    return SavedInfo(
        saved.path.name,
        saved.name,
        s.get("author"),
        s.get("note"),
        _when(s.get("created")),
        _when(s.get("updated")),
        saved.version,
        saved.saved_by,
        saved.saved_at,
        tuple(str(t) for t in s.get("origin") or ()),
        sum(len(step) for step in steps if isinstance(step, list)),
        tuple(str(t.get("table_id")) for t in tables if isinstance(t, dict)),
        saved.identity,
    )


def list_saved(directory: Path) -> list[SavedInfo]:
    """Every saved scenario, by name; an unreadable file is listed with its ``problem``."""
    out = []
    for path in files(directory):
        try:
            out.append(info_of(read_file(path)))
        except ScenarioFileError as exc:
            out.append(SavedInfo(path.name, path.stem, problem=str(exc)))
    return sorted(out, key=lambda i: i.name.lower())


# --------------------------------------------------------------------------- for the build


def _checked_document(saved: SavedFile) -> Document:
    """The saved document, its provenance forced to the scenario's own."""
    try:
        doc = document_from_dict(saved.document)
    except (TypeError, ValueError, AttributeError) as exc:
        raise ScenarioFileError(
            f"scénario {saved.path.name} : document illisible ({exc})"
        ) from None
    source = source_of(saved.name)
    doc.source, doc.kind, doc.layout = source, "scenario", "scenario"
    for t in doc.tables:
        if not (t.table_id or "").startswith(ID_PREFIX):
            raise ScenarioFileError(
                f"scénario {saved.path.name} : identifiant de tableau {t.table_id!r} (attendu : "
                f"« {ID_PREFIX}… »)"
            )
        t.source, t.declared_source = source, None
    return doc


def documents(directory: Path) -> tuple[list[Document], dict[str, str]]:
    """The documents of the saved scenarios, and their files' SHA-256 by source, for the build.
    An unreadable file becomes a document without tables whose error says why (the build goes
    on: a damaged scenario never takes the departments' documents down with it)."""
    docs, hashes = [], {}
    for path in files(directory):
        try:
            saved = read_file(path)
            doc = _checked_document(saved)
            digest = saved.sha256
        except ScenarioFileError as exc:
            doc = Document(
                source=source_of(path.name),
                layout="scenario",
                n_lines=0,
                issues=[Issue(None, "scenario_unreadable", str(exc), "error")],
                title=f"Scénario illisible : {path.name}",
                kind="scenario",
            )
            digest = ""
        if doc.source in hashes:  # two files claiming one name: the second is left out
            continue
        docs.append(doc)
        hashes[doc.source] = digest
    return docs, hashes


def fingerprint_parts(directory: Path) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every saved scenario: part of the sources' fingerprint, so that a
    scenario saved by another process makes the store stale."""
    out = []
    for path in files(directory):
        try:
            out.append((path.name, path.read_bytes()))
        except OSError:
            out.append((path.name, b""))
    return out
