"""Import a filled template (or an MCC draft in XLSX) into the sources, then rebuild the store.

Two steps, so that a user sees what will happen before anything changes:

1. ``preview_import``: read and validate the uploaded bytes (row-level French errors), and say
   per table whether it is added, replaces a table of a previous import of the same file, or
   conflicts with a table of another document (same ``table_id``: refused, the store needs
   unique ids). Nothing is written. It is a pure function of the file (name, bytes) and of the
   store: a page caches it on ``(name, file_digest(data), store identity)``.
2. ``apply_import``: under the store's write lock, validate again against the store as it is
   now, check the quotas, put the file in the sources directory and record it in the imports
   register (``store.manifest``), then rebuild the store (itself atomic). If anything fails,
   the previous file and register are put back: a bad file changes nothing, neither the
   sources nor the store. A second import at the same moment waits for the first
   (``store.lock``), then runs on what the first one left.

An imported file is attributed to itself: the document it says it copies is kept as
``declared_source`` and its table ids are qualified by its name (``ids.namespaced_id``), so an
upload can neither pass its values off as an official document's nor take another file's ids.
Replacement is per file: importing ``mcc_gea.xlsx`` again replaces the tables of the previous
``mcc_gea.xlsx`` (tables it no longer has are removed). Text documents are never touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from butdata import fmt
from butdata.errors import ButdataError, SourceError, os_error, printable
from butdata.labels import table_label
from butdata.model import Document
from butdata.readers import TEMPLATE_SUFFIXES, source_files
from butdata.readers import spreadsheet as template_reader
from butdata.settings import Limits, limits, size_text
from butdata.store import manifest
from butdata.store.build import BuildReport, Progress, build_store
from butdata.store.lock import write_lock
from butdata.store.read import open_store, writable_dir
from butdata.tidy.columns import RowError, TemplateError
from butdata.tidy.rows import KnownUEs

ADDED, REPLACED, CONFLICT, REMOVED = "ajout", "remplacement", "conflit", "retrait"


@dataclass
class TableChange:
    table_id: str
    label: str
    action: str  # ADDED / REPLACED / CONFLICT / REMOVED
    n_ue: int
    n_values: int
    detail: str = ""  # French


@dataclass
class ImportPreview:
    name: str  # file name written into the sources directory
    layout: str | None = None  # "template" | "modules-xlsx"
    errors: list[RowError] = field(default_factory=list)
    changes: list[TableChange] = field(default_factory=list)
    document: Document | None = None
    sha256: str = ""  # of the uploaded bytes
    size: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and not any(c.action == CONFLICT for c in self.changes)

    def count(self, action: str) -> int:
        return sum(c.action == action for c in self.changes)

    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} erreur(s) : rien ne sera importé."
        parts = [
            f"{self.count(a)} {w}"
            for a, w in (
                (ADDED, "ajouté(s)"),
                (REPLACED, "remplacé(s)"),
                (REMOVED, "retiré(s)"),
                (CONFLICT, "en conflit"),
            )
            if self.count(a)
        ]
        return f"Tableaux : {', '.join(parts) or 'aucun changement'}."


def safe_name(upload_name: str) -> str:
    """A plain file name for the sources directory (no path, no odd characters)."""
    base = Path(upload_name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    suffix = suffix.lower()
    if suffix not in TEMPLATE_SUFFIXES:
        raise ButdataError(f"« {base} » : fichier .csv ou .xlsx attendu")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_stem).strip("_.") or "import"
    return f"{ascii_stem}{suffix}"


def file_digest(data: bytes) -> str:
    """SHA-256 of an upload: with its name, the key a page caches its preview on."""
    return hashlib.sha256(data).hexdigest()


def _read(name: str, data: bytes, known_ues: KnownUEs) -> tuple[Document | None, list[RowError]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            return template_reader.load(path, known_ues=known_ues, imported=True), []
        except TemplateError as exc:
            return None, exc.errors
        except SourceError as exc:
            return None, [RowError(exc.line or 1, None, exc.message)]
        except ButdataError as exc:
            return None, [RowError(1, None, str(exc))]
        except Exception as exc:  # an unexpected file must still give a message, not a trace
            return None, [RowError(1, None, f"fichier illisible ({type(exc).__name__})")]


def _previous_ids(path: Path) -> set[str]:
    """Tables of the previous import of the same file (nothing if it no longer reads)."""
    if not path.exists():
        return set()
    try:
        return {t.table_id for t in template_reader.load(path, imported=True).tables if t.table_id}
    except Exception:
        return set()


def _store_tables(db_path: Path) -> dict[str, dict[str, Any]]:
    """table_id -> identity and its values {(competence, position): coefficient}."""
    if not Path(db_path).exists():
        return {}
    con = open_store(db_path)
    try:
        cur = con.cursor()
        tables = cur.execute(
            "SELECT table_id, source, formation, site, semester, parcours, alternance FROM tables"
        ).fetchall()
        values = cur.execute(
            "SELECT table_id, competence, position, coefficient FROM coefficients"
        ).fetchall()
        ues = cur.execute("SELECT table_id, ue FROM ues").fetchall()
    finally:
        con.close()
    keys = ("table_id", "source", "formation", "site", "semester", "parcours", "alternance")
    out: dict[str, dict[str, Any]] = {
        r[0]: {**dict(zip(keys, r)), "values": {}, "ues": set()} for r in tables
    }
    for table_id, ue in ues:
        out[table_id]["ues"].add(ue)
    for table_id, competence, position, coefficient in values:
        out[table_id]["values"][(competence, position)] = coefficient
    return out


def preview_import(
    upload_name: str, data: bytes, db_path: Path, sources_dir: Path
) -> ImportPreview:
    """Validate the upload and compare it with the current store; writes nothing."""
    try:
        name = safe_name(upload_name)
    except ButdataError as exc:
        return ImportPreview(Path(upload_name).name, errors=[RowError(1, None, str(exc))])
    preview = ImportPreview(name, sha256=file_digest(data), size=len(data))
    cap = limits().max_file_bytes
    if len(data) > cap:
        preview.errors = [
            RowError(
                1, None, f"fichier trop gros ({size_text(len(data))} ; plafond {size_text(cap)})"
            )
        ]
        return preview
    target = Path(sources_dir) / name
    if target.exists() and name not in import_records(Path(sources_dir)):
        preview.errors = [
            RowError(
                1,
                None,
                f"« {name} » a été placé dans le dossier des sources par l'administrateur "
                "(ce n'est pas un import) : déposez votre fichier sous un autre nom",
            )
        ]
        return preview
    try:
        existing = _store_tables(db_path)
    except ButdataError as exc:
        preview.errors = [RowError(1, None, f"import impossible : {exc}")]
        return preview
    known: KnownUEs = {}
    for row in existing.values():
        if row["formation"] and row["semester"]:
            known.setdefault((row["formation"], row["semester"]), set()).update(row["ues"])
    doc, errors = _read(name, data, known)
    if doc is None:
        preview.errors = errors
        return preview
    preview.document, preview.layout = doc, doc.layout
    previous = _previous_ids(Path(sources_dir) / name)
    new_ids = set()
    for t in doc.tables:
        table_id = t.table_id or ""  # always set: the reader qualifies every id
        new_ids.add(table_id)
        values = {(c.competence, c.position): c.coefficient for c in t.coefficients}
        label = table_label(
            dict(
                formation=t.formation,
                semester=t.semester,
                parcours=t.parcours,
                alternance=t.alternance,
                site=t.site,
            ),
            formation=True,
            document=False,
        )
        change = TableChange(table_id, label, ADDED, len(t.ues), len(t.coefficients))
        if table_id in previous:
            old = existing.get(table_id, {}).get("values", {})
            changed = sum(values.get(k) != old.get(k) for k in values.keys() | old.keys())
            change.action = REPLACED
            change.detail = f"{changed} valeur(s) modifiée(s)" if changed else "valeurs inchangées"
        elif table_id in existing:
            change.action = CONFLICT
            change.detail = (
                f"identifiant déjà utilisé par « {existing[table_id]['source']} » : "
                f"videz les colonnes table_id et source pour l'ajouter comme nouveau tableau"
            )
        if t.declared_source:
            note = f"document déclaré : « {t.declared_source} » (valeurs attribuées à ce fichier)"
            change.detail = f"{change.detail} ; {note}" if change.detail else note
        preview.changes.append(change)
    for table_id in sorted(previous - new_ids):
        old = existing.get(table_id)
        label = table_label(old, formation=True, document=False) if old else table_id
        preview.changes.append(
            TableChange(table_id, label, REMOVED, 0, 0, "absent du nouveau fichier")
        )
    return preview


def apply_import(
    upload_name: str,
    data: bytes,
    db_path: Path,
    sources_dir: Path,
    progress: Progress | None = None,
    *,
    author: str | None = None,
) -> tuple[ImportPreview, BuildReport]:
    """Write the validated file into ``sources_dir`` and rebuild; all or nothing, one writer at
    a time (``StoreBusy`` after ``settings.lock_timeout`` seconds of waiting). ``author`` (who
    imports, e.g. the signed-in user) is recorded in the imports register with the file's
    hash, size and date. The report's ``lock_wait`` is the time spent waiting for the lock."""
    sources_dir, db_path = Path(sources_dir), Path(db_path)
    with write_lock(db_path) as waited:
        # Validated again under the lock: the store may have changed since the preview.
        preview = preview_import(upload_name, data, db_path, sources_dir)
        if not preview.ok:
            problems = [str(e) for e in preview.errors[:3]] or [
                f"{c.label} : {c.detail}" for c in preview.changes if c.action == CONFLICT
            ][:3]
            raise ButdataError(f"import refusé : {'; '.join(problems)}")
        if not writable_dir(sources_dir):
            raise ButdataError(
                f"import impossible : le dossier des sources {printable(sources_dir)} n'est pas "
                "modifiable (la base reste consultable)"
            )
        records = _present_records(sources_dir)
        _check_quotas(records, preview.name, len(data), limits())
        target = sources_dir / preview.name
        register = manifest.manifest_path(sources_dir)
        try:
            backup = target.read_bytes() if target.exists() else None
            register_backup = register.read_bytes() if register.exists() else None
        except OSError as exc:
            raise os_error(exc) from None
        records[preview.name] = manifest.new_record(preview.name, preview.sha256, len(data), author)
        try:
            # The register first: a file must never sit in the directory without being known
            # as an import (it would then be trusted with the provenance it claims).
            manifest.write_manifest(sources_dir, records)
            manifest.write_atomic(target, data)
            report = build_store(sources_dir, db_path, progress)
        except BaseException as exc:
            _put_back(target, backup, register, register_backup)
            if isinstance(exc, ButdataError):
                raise ButdataError(f"import annulé, rien n'a changé : {exc}") from None
            raise
    report.lock_wait = waited
    return preview, report


def _present_records(sources_dir: Path) -> dict[str, manifest.ImportRecord]:
    """The register's entries whose file is still there (an unreadable register is rewritten:
    until then every spreadsheet is read as an import)."""
    try:
        records = manifest.read_manifest(sources_dir)
    except manifest.ManifestError:
        return {}
    return {n: r for n, r in records.items() if (sources_dir / n).is_file()}


def _put_back(target: Path, backup: bytes | None, register: Path, saved: bytes | None) -> None:
    """Restore the file then the register as they were before a failed import."""
    try:
        if backup is None:
            target.unlink(missing_ok=True)
        else:
            manifest.write_atomic(target, backup)
    finally:
        if saved is None:
            register.unlink(missing_ok=True)
        else:
            manifest.write_atomic(register, saved)


def _check_quotas(
    records: dict[str, manifest.ImportRecord], name: str, size: int, caps: Limits
) -> None:
    """At most ``max_imported_files`` files and ``max_imported_bytes`` in all (a new version
    of a file replaces its old size)."""
    others = {n: r for n, r in records.items() if n != name}
    if len(others) + 1 > caps.max_imported_files:
        raise ButdataError(
            f"import refusé : {fmt.integer(len(others))} fichiers déjà importés (plafond "
            f"{fmt.integer(caps.max_imported_files)}) ; réimportez un fichier existant sous son "
            "nom pour le remplacer"
        )
    total = sum(r.size for r in others.values()) + size
    if total > caps.max_imported_bytes:
        raise ButdataError(
            f"import refusé : les fichiers importés feraient {size_text(total)} (plafond "
            f"{size_text(caps.max_imported_bytes)})"
        )


def import_records(sources_dir: Path) -> dict[str, manifest.ImportRecord]:
    """Who imported which file, when (empty when the register is missing or unreadable)."""
    try:
        return manifest.read_manifest(sources_dir)
    except manifest.ManifestError:
        return {}


def imported_files(sources_dir: Path) -> list[Path]:
    """Spreadsheet sources already in the directory (previous imports)."""
    if not Path(sources_dir).is_dir():
        return []
    return [p for p in source_files(sources_dir) if p.suffix.lower() in TEMPLATE_SUFFIXES]
