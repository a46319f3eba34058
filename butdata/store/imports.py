"""Import a filled template (or an MCC draft in XLSX) into the sources, then rebuild the store.

Two steps, so that a user sees what will happen before anything changes:

1. ``preview_import``: read and validate the uploaded bytes (row-level French errors), and say
   per table whether it is added, replaces a table of a previous import of the same file, or
   conflicts with a table of another document (same ``table_id``: refused, the store needs
   unique ids). Nothing is written.
2. ``apply_import``: validate again, put the file in the sources directory (temp file then
   ``os.replace``) and rebuild the store (itself atomic). If the build fails, the previous file
   is put back: a bad file changes nothing, neither the sources nor the store.

Replacement is per file: importing ``mcc_gea.xlsx`` again replaces the tables of the previous
``mcc_gea.xlsx`` (tables it no longer has are removed). Text documents are never touched.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from butdata.errors import ButdataError, SourceError
from butdata.labels import table_label
from butdata.model import Document
from butdata.readers import TEMPLATE_SUFFIXES, source_files
from butdata.readers import spreadsheet as template_reader
from butdata.store.build import BuildReport, Progress, build_store
from butdata.store.read import open_store
from butdata.tidy.template import KnownUEs, RowError, TemplateError

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


def _read(name: str, data: bytes, known_ues: KnownUEs) -> tuple[Document | None, list[RowError]]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            return template_reader.load(path, known_ues=known_ues), []
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
        return {t.table_id for t in template_reader.load(path).tables}
    except Exception:
        return set()


def _store_tables(db_path: Path) -> dict[str, dict]:
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
    out = {r[0]: {**dict(zip(keys, r)), "values": {}, "ues": set()} for r in tables}
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
    preview = ImportPreview(name)
    existing = _store_tables(db_path)
    known: KnownUEs = {}
    for t in existing.values():
        if t["formation"] and t["semester"]:
            known.setdefault((t["formation"], t["semester"]), set()).update(t["ues"])
    doc, errors = _read(name, data, known)
    if doc is None:
        preview.errors = errors
        return preview
    preview.document, preview.layout = doc, doc.layout
    previous = _previous_ids(Path(sources_dir) / name)
    new_ids = set()
    for t in doc.tables:
        new_ids.add(t.table_id)
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
        change = TableChange(t.table_id, label, ADDED, len(t.ues), len(t.coefficients))
        if t.table_id in previous:
            old = existing.get(t.table_id, {}).get("values", {})
            changed = sum(values.get(k) != old.get(k) for k in values.keys() | old.keys())
            change.action = REPLACED
            change.detail = f"{changed} valeur(s) modifiée(s)" if changed else "valeurs inchangées"
        elif t.table_id in existing:
            change.action = CONFLICT
            change.detail = (
                f"identifiant déjà utilisé par « {existing[t.table_id]['source']} » : "
                f"videz les colonnes table_id et source pour l'ajouter comme nouveau tableau"
            )
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
) -> tuple[ImportPreview, BuildReport]:
    """Write the validated file into ``sources_dir`` and rebuild; all or nothing."""
    sources_dir, db_path = Path(sources_dir), Path(db_path)
    preview = preview_import(upload_name, data, db_path, sources_dir)
    if not preview.ok:
        problems = [str(e) for e in preview.errors[:3]] or [
            f"{c.label} : {c.detail}" for c in preview.changes if c.action == CONFLICT
        ][:3]
        raise ButdataError(f"import refusé : {'; '.join(problems)}")
    sources_dir.mkdir(parents=True, exist_ok=True)
    target = sources_dir / preview.name
    backup = target.read_bytes() if target.exists() else None
    _write_atomic(target, data)
    try:
        report = build_store(sources_dir, db_path, progress)
    except BaseException as exc:
        if backup is None:
            target.unlink(missing_ok=True)
        else:
            _write_atomic(target, backup)
        if isinstance(exc, ButdataError):
            raise ButdataError(f"import annulé, rien n'a changé : {exc}") from None
        raise
    return preview, report


def _write_atomic(target: Path, data: bytes) -> None:
    # A dot-name is ignored by source_files() while it is being written.
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


def imported_files(sources_dir: Path) -> list[Path]:
    """Spreadsheet sources already in the directory (previous imports)."""
    if not Path(sources_dir).is_dir():
        return []
    return [p for p in source_files(sources_dir) if p.suffix.lower() in TEMPLATE_SUFFIXES]
