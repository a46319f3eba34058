"""Import department files into the sources, then rebuild the store: MCC PDFs, XLSX / CSV
(the tidy template or an MCC draft) and ORéBUT XML exports, one file or several at once.

Two steps, so that a user sees what will happen before anything changes:

1. ``preview_imports``: read and validate the uploaded files as the build will read them
   (``import_read``: row-level French errors for a spreadsheet, the page for a PDF, the line for
   an XML export; an ORéBUT programme with the referential of its speciality, uploaded with it or
   already in the sources), and say per table what it is (status, reliability, checks, a
   mini-matrix: ``import_tables``) and whether it is added, replaces a table of a previous
   import of the same file, or conflicts with a table of another document (same ``table_id``:
   refused, the store needs unique ids). Nothing is written. It is a pure function of the files
   (names, bytes) and of the store: a page caches it on the files' names and hashes and the
   store's identity.
2. ``apply_imports``: under the store's write lock, validate again against the store as it is
   now, check the quotas, put the files in the sources directory and record them in the imports
   register (``store.manifest``) with the tables the user left out, then rebuild the store
   (itself atomic). If anything fails, the previous files and register are put back: a bad file
   changes nothing, neither the sources nor the store. A second import at the same moment waits
   for the first (``store.lock``), then runs on what the first one left.

The user may keep only some of a file's tables: the others are recorded as ``excluded`` in the
register, and every build reads the file without them (``readers.selection``), so they never
reach the store; the file stays whole in the sources and is the provenance of what it gives.

An imported file is attributed to itself: the document a spreadsheet says it copies is kept as
``declared_source`` and the table ids of every imported file are qualified by its name
(``ids.namespaced_id``), so an upload can neither pass its values off as an official document's
nor take another file's ids. Replacement is per file: importing ``mcc_gea.xlsx`` again replaces
the tables of the previous ``mcc_gea.xlsx`` (tables it no longer has are removed). Text documents
are never touched.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from butdata import fmt
from butdata.errors import ButdataError, os_error, printable
from butdata.labels import table_label
from butdata.model import Document, Table
from butdata.readers import IMPORTABLE_SUFFIXES, XML_SUFFIXES, source_files
from butdata.readers.orebut_xml import PROGRAMME, REFERENTIAL, xml_kind
from butdata.settings import Limits, limits, size_text
from butdata.store import manifest
from butdata.store.build import BuildReport, Progress, build_store
from butdata.store.import_read import REFERENTIAL_ALONE, read_upload, staged, xml_kinds
from butdata.store.import_tables import TableDetail, table_detail
from butdata.store.lock import write_lock
from butdata.store.read import open_store, writable_dir
from butdata.tidy.columns import RowError
from butdata.tidy.rows import KnownUEs

ADDED, REPLACED, CONFLICT, REMOVED = "ajout", "remplacement", "conflit", "retrait"
SKIPPED = "écarté"  # found in the file, left out by the user: not imported
Upload = tuple[str, bytes]  # (name as uploaded, bytes)


@dataclass
class TableChange:
    table_id: str
    label: str
    action: str  # ADDED / REPLACED / CONFLICT / REMOVED / SKIPPED
    n_ue: int
    n_values: int
    detail: str = ""  # French
    table: TableDetail | None = None  # what the table is (None for a table the file lost)


@dataclass
class ImportPreview:
    name: str  # file name written into the sources directory
    layout: str | None = None  # the document's layout ("template", "modules-xlsx", "pdf-grid"…)
    errors: list[RowError] = field(default_factory=list)
    changes: list[TableChange] = field(default_factory=list)
    document: Document | None = None
    sha256: str = ""  # of the uploaded bytes
    size: int = 0
    notes: list[str] = field(default_factory=list)  # French: what else to know (XML pairs)

    @property
    def unit(self) -> str:
        """How a place in this file is named: « page » for a PDF, « ligne » otherwise."""
        return "page" if self.name.lower().endswith(".pdf") else "ligne"

    @property
    def ok(self) -> bool:
        return self.ok_with(())

    def ok_with(self, excluded: Collection[str]) -> bool:
        """No error, and no conflict among the tables kept."""
        return not self.errors and not any(
            c.action == CONFLICT for c in self.changes_with(excluded)
        )

    def changes_with(self, excluded: Collection[str]) -> list[TableChange]:
        """The changes once the tables of ``excluded`` are left out: a new one is not imported
        (SKIPPED), one of the previous import leaves the store (REMOVED)."""
        left_out = set(excluded)
        out = []
        for c in self.changes:
            if c.table_id not in left_out or c.action == REMOVED:
                out.append(c)
            elif c.action == REPLACED:
                out.append(replace(c, action=REMOVED, detail="écarté à cet import"))
            else:
                out.append(replace(c, action=SKIPPED, detail="non importé (décoché)"))
        return out

    def ids(self, action: str, excluded: Collection[str] = ()) -> list[str]:
        """The tables this import adds / replaces / removes (for the journal)."""
        return [c.table_id for c in self.changes_with(excluded) if c.action == action]

    def count(self, action: str, excluded: Collection[str] = ()) -> int:
        return sum(c.action == action for c in self.changes_with(excluded))

    def summary(self, excluded: Collection[str] = ()) -> str:
        if self.errors:
            return f"{len(self.errors)} erreur(s) : rien ne sera importé."
        parts = [
            f"{self.count(a, excluded)} {w}"
            for a, w in (
                (ADDED, "ajouté(s)"),
                (REPLACED, "remplacé(s)"),
                (REMOVED, "retiré(s)"),
                (SKIPPED, "écarté(s)"),
                (CONFLICT, "en conflit"),
            )
            if self.count(a, excluded)
        ]
        return f"Tableaux : {', '.join(parts) or 'aucun changement'}."

    def error_texts(self) -> list[str]:
        """Every error in French, naming the file and its line (or page)."""
        out = []
        for e in self.errors:
            where = str(e)
            out.append(f"« {self.name} », {where}" if e.row else f"« {self.name} » : {where}")
        return out


def safe_name(upload_name: str) -> str:
    """A plain file name for the sources directory (no path, no odd characters)."""
    base = Path(upload_name.replace("\\", "/")).name
    stem, suffix = os.path.splitext(base)
    suffix = suffix.lower()
    if suffix not in IMPORTABLE_SUFFIXES:
        raise ButdataError(f"« {base} » : fichier PDF, XLSX, CSV ou XML (ORéBUT) attendu")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9_-]+", "_", ascii_stem).strip("_.") or "import"
    return f"{ascii_stem}{suffix}"


def file_digest(data: bytes) -> str:
    """SHA-256 of an upload: with its name, the key a page caches its preview on."""
    return hashlib.sha256(data).hexdigest()


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


def _label(t: Table) -> str:
    return table_label(
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


def _refusal(name: str, sources_dir: Path, names: list[str], size: int) -> str | None:
    """Why an upload cannot even be read (French), or None."""
    cap = limits().max_file_bytes
    if size > cap:
        return f"fichier trop gros ({size_text(size)} ; plafond {size_text(cap)})"
    if names.count(name) > 1:
        return f"deux fichiers déposés s'appellent « {name} » : gardez-en un seul"
    if (Path(sources_dir) / name).exists() and name not in import_records(Path(sources_dir)):
        return (
            f"« {name} » a été placé dans le dossier des sources par l'administrateur "
            "(ce n'est pas un import) : déposez votre fichier sous un autre nom"
        )
    return None


def preview_imports(
    uploads: Sequence[Upload], db_path: Path, sources_dir: Path
) -> list[ImportPreview]:
    """Validate the uploads (read together: an ORéBUT programme finds its referential among
    them) and compare them with the current store; one preview per upload; writes nothing."""
    previews: list[ImportPreview] = []
    names = []
    for upload_name, data in uploads:
        try:
            names.append(safe_name(upload_name))
        except ButdataError as exc:
            names.append("")
            previews.append(
                ImportPreview(Path(upload_name).name, errors=[RowError(1, None, str(exc))])
            )
            continue
        previews.append(ImportPreview(names[-1], sha256=file_digest(data), size=len(data)))
    readable: list[tuple[ImportPreview, bytes]] = []
    for preview, (_, data) in zip(previews, uploads):
        if preview.errors:
            continue
        problem = _refusal(preview.name, Path(sources_dir), names, len(data))
        if problem:
            preview.errors = [RowError(1, None, problem)]
        else:
            readable.append((preview, data))
    if not readable:
        return previews
    try:
        existing = _store_tables(db_path)
    except ButdataError as exc:
        for preview, _ in readable:
            preview.errors = [RowError(1, None, f"import impossible : {exc}")]
        return previews
    known: KnownUEs = {}
    for row in existing.values():
        if row["formation"] and row["semester"]:
            known.setdefault((row["formation"], row["semester"]), set()).update(row["ues"])
    with staged([(p.name, d) for p, d in readable], Path(sources_dir)) as scratch:
        for preview, _ in readable:
            doc, errors = read_upload(scratch / preview.name, known)
            if doc is None:
                preview.errors = errors
            else:
                _compare(preview, doc, existing)
        kinds = {p.name: xml_kind(scratch / p.name) for p, _ in readable if _is_xml(p.name)}
    _pair_notes(previews, kinds, Path(sources_dir))
    return previews


def _is_xml(name: str) -> bool:
    return Path(name).suffix.lower() in XML_SUFFIXES


def _pair_notes(
    previews: list[ImportPreview], kinds: dict[str, str | None], sources_dir: Path
) -> None:
    """What an ORéBUT referential uploaded without its programme is for, and what is missing."""
    uploaded = {n for n, k in kinds.items() if k == PROGRAMME}
    placed = sorted(
        n for n, k in xml_kinds(sources_dir).items() if k == PROGRAMME and n not in uploaded
    )
    for preview in previews:
        if preview.errors or kinds.get(preview.name) != REFERENTIAL or uploaded:
            continue
        if placed:
            listed = ", ".join(f"« {n} »" for n in placed)
            preview.notes.append(
                f"Référentiel de compétences ORéBUT : le(s) programme(s) déjà dans les sources "
                f"({listed}) seront relus avec lui à la reconstruction."
            )
        else:
            preview.notes.append(REFERENTIAL_ALONE)


def _compare(preview: ImportPreview, doc: Document, existing: dict[str, dict[str, Any]]) -> None:
    """Per table of the upload: what it is and what importing it does to the store."""
    preview.document, preview.layout = doc, doc.layout
    previous = {tid for tid, row in existing.items() if row["source"] == preview.name}
    new_ids = set()
    for t in doc.tables:
        table_id = t.table_id or ""  # always set: the reader qualifies every id
        new_ids.add(table_id)
        values = {(c.competence, c.position): c.coefficient for c in t.coefficients}
        change = TableChange(
            table_id,
            _label(t),
            ADDED,
            len(t.ues),
            sum(c.coefficient != 0 for c in t.coefficients),  # what the store keeps
            table=table_detail(t, preview.unit),
        )
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


def preview_import(
    upload_name: str, data: bytes, db_path: Path, sources_dir: Path
) -> ImportPreview:
    """``preview_imports`` of one file."""
    return preview_imports([(upload_name, data)], db_path, sources_dir)[0]


def apply_imports(
    uploads: Sequence[Upload],
    db_path: Path,
    sources_dir: Path,
    progress: Progress | None = None,
    *,
    author: str | None = None,
    excluded: Collection[str] = (),
) -> tuple[list[ImportPreview], BuildReport]:
    """Write the validated files into ``sources_dir`` and rebuild; all or nothing, one writer at
    a time (``StoreBusy`` after ``settings.lock_timeout`` seconds of waiting). ``excluded``: ids
    of tables found in the files to leave out of the store (recorded in the register with their
    file). ``author`` (who imports, e.g. the signed-in user) is recorded in the imports register
    with each file's hash, size and date. The report's ``lock_wait`` is the time spent waiting
    for the lock."""
    sources_dir, db_path = Path(sources_dir), Path(db_path)
    left_out = set(excluded)
    with write_lock(db_path) as waited:
        # Validated again under the lock: the store may have changed since the preview.
        previews = preview_imports(uploads, db_path, sources_dir)
        _check_selection(previews, left_out)
        if not writable_dir(sources_dir):
            raise ButdataError(
                f"import impossible : le dossier des sources {printable(sources_dir)} n'est pas "
                "modifiable (la base reste consultable)"
            )
        records = _present_records(sources_dir)
        caps = limits()
        for preview in previews:
            _check_quotas(records, preview.name, preview.size, caps)
            ids = {c.table_id for c in preview.changes}
            records[preview.name] = manifest.new_record(
                preview.name, preview.sha256, preview.size, author, tuple(sorted(ids & left_out))
            )
        register = manifest.manifest_path(sources_dir)
        targets = [(sources_dir / p.name, data) for p, (_, data) in zip(previews, uploads)]
        try:
            saved = [(path, path.read_bytes() if path.exists() else None) for path, _ in targets]
            saved.append((register, register.read_bytes() if register.exists() else None))
        except OSError as exc:
            raise os_error(exc) from None
        try:
            # The register first: a file must never sit in the directory without being known
            # as an import (it would then be trusted with the provenance it claims).
            manifest.write_manifest(sources_dir, records)
            for path, data in targets:
                manifest.write_atomic(path, data)
            report = build_store(sources_dir, db_path, progress)
        except BaseException as exc:
            _put_back(saved)
            if isinstance(exc, ButdataError):
                raise ButdataError(f"import annulé, rien n'a changé : {exc}") from None
            raise
    report.lock_wait = waited
    return previews, report


def apply_import(
    upload_name: str,
    data: bytes,
    db_path: Path,
    sources_dir: Path,
    progress: Progress | None = None,
    *,
    author: str | None = None,
    excluded: Collection[str] = (),
) -> tuple[ImportPreview, BuildReport]:
    """``apply_imports`` of one file."""
    previews, report = apply_imports(
        [(upload_name, data)], db_path, sources_dir, progress, author=author, excluded=excluded
    )
    return previews[0], report


def _check_selection(previews: list[ImportPreview], left_out: set[str]) -> None:
    """Refuse (French) files with errors or conflicts among the tables kept, a selection that
    names tables none of the files has, and a file whose every table was left out."""
    problems = [t for p in previews for t in p.error_texts()][:3]
    if not problems:
        problems = [
            f"« {p.name} », {c.label} : {c.detail}"
            for p in previews
            for c in p.changes_with(left_out)
            if c.action == CONFLICT
        ][:3]
    if problems:
        raise ButdataError(f"import refusé : {'; '.join(problems)}")
    found = {c.table_id for p in previews for c in p.changes if c.action != REMOVED}
    unknown = sorted(left_out - found)
    if unknown:
        raise ButdataError(
            f"import refusé : tableau(x) à écarter absent(s) des fichiers : {', '.join(unknown)}"
        )
    for p in previews:
        tables = [t.table_id for t in p.document.tables] if p.document else []
        if tables and all(t in left_out for t in tables):
            raise ButdataError(
                f"import refusé : aucun tableau de « {p.name} » n'est coché ; cochez-en au "
                "moins un, ou retirez ce fichier du dépôt"
            )


def _present_records(sources_dir: Path) -> dict[str, manifest.ImportRecord]:
    """The register's entries whose file is still there (an unreadable register is rewritten:
    until then every importable file is read as an import)."""
    try:
        records = manifest.read_manifest(sources_dir)
    except manifest.ManifestError:
        return {}
    return {n: r for n, r in records.items() if (sources_dir / n).is_file()}


def _put_back(saved: list[tuple[Path, bytes | None]]) -> None:
    """Restore the files then the register (last of ``saved``) as they were before a failed
    import; every one is tried even when another fails."""
    failure: BaseException | None = None
    for path, backup in saved:
        try:
            if backup is None:
                path.unlink(missing_ok=True)
            else:
                manifest.write_atomic(path, backup)
        except BaseException as exc:  # the others must still be restored
            failure = failure or exc
    if failure is not None:
        raise failure


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
    """Importable sources already in the directory (previous imports or placed files)."""
    if not Path(sources_dir).is_dir():
        return []
    return [p for p in source_files(sources_dir) if p.suffix.lower() in IMPORTABLE_SUFFIXES]
