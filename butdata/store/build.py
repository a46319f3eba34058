"""Atomic build of the store from a sources directory.

The build writes a temporary file next to the target and moves it over the old store with
``os.replace`` only once everything succeeded, so an interrupted or failed build never damages
the existing store. Builds are serialised by the store's write lock (``store.lock``) and read
the sources once they hold it, so a build never discards an import that landed before it.
``ensure_store`` rebuilds a store only when its sources changed or when it is damaged.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from butdata.errors import (
    ButdataError,
    SourceError,
    StoreDamaged,
    os_error,
    os_reason,
    printable,
    reason,
)
from butdata.model import Document, Issue
from butdata.readers import IMPORTABLE_SUFFIXES, meta_path, read_document, source_files
from butdata.store.lock import temporary_path, temporary_pid, write_lock
from butdata.store.manifest import (
    MANIFEST,
    ImportRecord,
    ManifestError,
    manifest_path,
    read_manifest,
)
from butdata.store.read import DEFAULT_SOURCES, default_db_path, store_meta, verify_store
from butdata.store.scenario_files import documents as scenario_documents
from butdata.store.scenario_files import fingerprint_parts, scenarios_dir
from butdata.store.schema import SCHEMA, SCHEMA_VERSION, write_counts


@dataclass
class DocumentSummary:
    source: str
    layout: str
    tables: int
    ues: int
    coefficients: int
    warnings: int
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass
class BuildReport:
    db_path: Path
    documents: list[DocumentSummary]
    seconds: float
    lock_wait: float = 0.0  # seconds spent waiting for another writer


Progress = Callable[[float, str], None]


def checked_source_files(sources_dir: Path) -> list[Path]:
    """``readers.source_files`` with its OS errors and unprintable names told in French."""
    try:
        files = source_files(sources_dir)
    except OSError as exc:
        raise os_error(exc, sources_dir) from None
    for path in files:
        try:
            path.name.encode("utf-8")
        except UnicodeEncodeError:
            raise SourceError(
                printable(path.name),
                None,
                "nom de fichier illisible (octets non UTF-8) : renommez-le avec des lettres, "
                "des chiffres et des tirets",
            ) from None
    return files


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(
            printable(path.name), None, f"lecture impossible : {os_reason(exc)}"
        ) from None


def sources_fingerprint(sources_dir: Path) -> str:
    """Hash of the schema version, every source file and the imports register: a store is
    stale when it differs."""
    h = hashlib.sha256(SCHEMA_VERSION.encode())
    for path in checked_source_files(sources_dir):
        h.update(path.name.encode() + b"\0" + _read_bytes(path) + b"\0")
        meta = meta_path(path)
        if meta.is_file():
            h.update(meta.name.encode() + b"\0" + _read_bytes(meta) + b"\0")
    register = manifest_path(sources_dir)
    if register.is_file():
        h.update(MANIFEST.encode() + b"\0" + _read_bytes(register) + b"\0")
    for name, data in fingerprint_parts(scenarios_dir(sources_dir)):  # saved scenarios
        h.update(b"scenario\0" + name.encode() + b"\0" + data + b"\0")
    return h.hexdigest()


def _frames(documents: list[Document], hashes: dict[str, str]) -> dict[str, pl.DataFrame]:
    rows: dict[str, list[dict[str, Any]]] = {
        k: []
        for k in ("t_sources", "t_tables", "t_ues", "t_modules", "t_coefficients", "t_warnings")
    }
    seen_ids: set[str] = set()
    for doc in documents:
        rows["t_sources"].append(
            dict(
                source=doc.source,
                layout=doc.layout,
                n_lines=doc.n_lines,
                sha256=hashes[doc.source],
                n_tables=len(doc.tables),
                title=doc.title,
                year=doc.year,
                kind=doc.kind,
            )
        )
        for issue in doc.issues:
            rows["t_warnings"].append(
                dict(
                    source=doc.source,
                    table_id=None,
                    source_line=issue.line,
                    severity=issue.severity,
                    code=issue.code,
                    message=issue.message,
                )
            )
        for ord_, t in enumerate(doc.tables):
            if t.table_id in seen_ids:
                raise SourceError(
                    doc.source,
                    t.line,
                    f"identifiant de tableau déjà utilisé par un autre document : {t.table_id}",
                )
            seen_ids.add(t.table_id or "")
            rows["t_tables"].append(
                dict(
                    table_id=t.table_id,
                    source=t.source,
                    source_line=t.line,
                    title=t.title,
                    formation=t.formation,
                    formation_name=t.formation_name,
                    site=t.site,
                    semester=t.semester,
                    parcours=t.parcours,
                    alternance=t.alternance,
                    status=t.status,
                    layout=t.layout,
                    identity_inferred=t.identity_inferred,
                    year=t.year,
                    declared_total=t.declared_total,
                    declared_ects=t.declared_ects,
                    declared_aop=t.declared_aop,
                    totals_line=t.totals_line,
                    ord=ord_,
                    declared_source=t.declared_source,
                )
            )
            for u_ord, u in enumerate(t.ues):
                rows["t_ues"].append(
                    dict(
                        table_id=t.table_id,
                        ue=u.code,
                        competence=u.competence,
                        name=u.name,
                        level=u.level,
                        ects=u.ects,
                        total=u.total,
                        sae_share=u.sae_share,
                        sae_share_printed=u.sae_share_printed,
                        aop_total=u.aop_total,
                        source_line=u.line,
                        ects_line=u.ects_line,
                        total_line=u.total_line,
                        sum_ok=u.sum_ok,
                        ratio_ok=u.ratio_ok,
                        row_layout=u.row_layout,
                        ord=u_ord,
                    )
                )
            for m in t.modules:
                rows["t_modules"].append(
                    dict(
                        table_id=t.table_id,
                        module_code=m.code,
                        module_name=m.name,
                        kind=m.kind,
                        position=m.position,
                        semester_coefficient=m.semester_coefficient,
                        section=m.section,
                        source_line=m.line,
                    )
                )
            for c in t.coefficients:
                if c.coefficient == 0:
                    continue  # a printed 0 counts nowhere; its position stays a gap in the row
                rows["t_coefficients"].append(
                    dict(
                        table_id=t.table_id,
                        competence=c.competence,
                        module_code=c.module_code,
                        module_name=c.module_name,
                        kind=c.kind,
                        position=c.position,
                        coefficient=c.coefficient,
                        printed=c.printed,
                        source_line=c.line,
                        grid_column=c.column,
                        source_page=c.page,
                        row_label=c.row_label,
                        column_label=c.column_label,
                        cell_x0=c.bbox[0] if c.bbox else None,
                        cell_top=c.bbox[1] if c.bbox else None,
                        cell_x1=c.bbox[2] if c.bbox else None,
                        cell_bottom=c.bbox[3] if c.bbox else None,
                    )
                )
            for issue in t.issues:
                rows["t_warnings"].append(
                    dict(
                        source=t.source,
                        table_id=t.table_id,
                        source_line=issue.line,
                        severity=issue.severity,
                        code=issue.code,
                        message=issue.message,
                    )
                )
    return {name: pl.DataFrame(r, infer_schema_length=None) for name, r in rows.items() if r}


def write_store(
    documents: list[Document],
    db_path: Path,
    hashes: dict[str, str],
    fingerprint: str,
    sources_dir: str,
) -> None:
    """Write parsed documents into a new DuckDB file at ``db_path`` (which must not exist)."""
    con = duckdb.connect(str(db_path))
    try:
        con.execute(SCHEMA)
        for name, frame in _frames(documents, hashes).items():
            con.register("frame", frame)
            con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM frame")  # name: fixed list
            con.unregister("frame")
        write_counts(con)
        con.execute(
            "INSERT INTO meta VALUES ('schema_version', ?), ('fingerprint', ?), "
            "('sources_dir', ?), ('built_at', ?)",
            [SCHEMA_VERSION, fingerprint, sources_dir, time.strftime("%Y-%m-%dT%H:%M:%S")],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()


def parse_sources(
    sources_dir: Path, progress: Progress | None = None
) -> tuple[list[Document], dict[str, str]]:
    files = checked_source_files(sources_dir)
    if not files:
        raise ButdataError(f"aucun document source dans {printable(sources_dir)}")
    register_problem = None
    records: dict[str, ImportRecord] = {}
    try:
        records = read_manifest(sources_dir)
        imported = set(records)
    except ManifestError as exc:
        # Fail safe: without the register no spreadsheet may carry another document's provenance
        # (and an imported file's ids stay qualified by its name).
        imported = {p.name for p in files if p.suffix.lower() in IMPORTABLE_SUFFIXES}
        register_problem = str(exc)
    documents, hashes = [], {}
    for i, path in enumerate(files):
        if progress:
            progress(i / len(files), f"lecture de {path.name}")
        data = _read_bytes(path)
        try:
            left_out = records[path.name].excluded if path.name in records else ()
            doc = read_document(path, imported=path.name in imported, excluded=left_out)
        except SourceError:
            raise
        except OSError as exc:
            raise SourceError(path.name, None, f"lecture impossible : {os_reason(exc)}") from None
        except Exception as exc:  # a reader bug must still name the file at fault
            raise SourceError(path.name, None, f"lecture impossible : {reason(exc)}") from None
        if register_problem and path.name in imported:
            doc.issues.append(
                Issue(
                    None,
                    "imports_register",
                    f"registre des imports illisible ({register_problem}) : fichier lu comme "
                    "un import (valeurs attribuées à ce fichier)",
                )
            )
        documents.append(doc)
        hashes[path.name] = hashlib.sha256(data).hexdigest()
    # Saved scenarios (beside the sources, never among them): documents of kind "scenario".
    saved, saved_hashes = scenario_documents(scenarios_dir(sources_dir))
    documents += saved
    hashes.update(saved_hashes)
    return documents, hashes


def build_store(
    sources_dir: Path | None = None, db_path: Path | None = None, progress: Progress | None = None
) -> BuildReport:
    """Parse every document of ``sources_dir`` and atomically replace the store at ``db_path``,
    under the store's write lock (StoreBusy when another writer keeps it too long)."""
    start = time.perf_counter()
    sources_dir = Path(sources_dir or DEFAULT_SOURCES)
    db_path = Path(db_path or default_db_path())
    if not sources_dir.is_dir():
        raise ButdataError(f"dossier de sources introuvable : {printable(sources_dir)}")
    if db_path.is_dir():
        raise ButdataError(
            f"« {printable(db_path)} » est un dossier : indiquez le fichier de la base "
            f"(par exemple {printable(db_path / 'butdata.duckdb')})"
        )
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:  # a file stands where a directory of the path should be
        where = printable(exc.filename or db_path.parent)
        raise ButdataError(f"{where} : existe mais n'est pas un dossier") from None
    except OSError as exc:
        raise os_error(exc, db_path.parent) from None
    with write_lock(db_path) as waited:
        # Read inside the lock: an import that landed while this build waited is part of it.
        fingerprint = sources_fingerprint(sources_dir)
        documents, hashes = parse_sources(sources_dir, progress)
        if progress:
            progress(0.9, "écriture de la base")
        _write_and_replace(documents, hashes, fingerprint, sources_dir, db_path)
    if progress:
        progress(1.0, "terminé")
    summaries = [
        DocumentSummary(
            source=d.source,
            layout=d.layout,
            tables=len(d.tables),
            ues=sum(len(t.ues) for t in d.tables),
            coefficients=sum(len(t.coefficients) for t in d.tables),
            warnings=len(d.issues) + sum(len(t.issues) for t in d.tables),
            by_status={
                s: sum(t.status == s for t in d.tables) for s in ("complete", "partial", "empty")
            },
        )
        for d in documents
    ]
    return BuildReport(db_path, summaries, time.perf_counter() - start, waited)


def _write_and_replace(
    documents: list[Document],
    hashes: dict[str, str],
    fingerprint: str,
    sources_dir: Path,
    db_path: Path,
) -> None:
    """Write a temporary store beside ``db_path``, flush it, move it over ``db_path``."""
    _remove_stale_temporaries(db_path)
    tmp = temporary_path(db_path)
    try:
        write_store(documents, tmp, hashes, fingerprint, str(sources_dir.resolve()))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, db_path)  # atomic on POSIX: readers see the old or the new store
        _fsync_dir(db_path.parent)
    except OSError as exc:
        raise os_error(exc, db_path) from None
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ButdataError(
            f"écriture de la base impossible : {printable(db_path)} ({printable(first)})"
        ) from None
    finally:
        for leftover in (tmp, Path(f"{tmp}.wal")):
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass


def _fsync_dir(directory: Path) -> None:
    """Make the rename durable (after a crash the directory holds the new name)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_stale_temporaries(db_path: Path) -> None:
    """Temporary files left by killed or failed builds. Called under the write lock, so no live
    writer of this process owns one; another process's file is removed once it is gone."""
    for tmp in db_path.parent.glob(f"{db_path.name}.tmp-*"):
        pid = temporary_pid(tmp)
        if pid is None or pid == os.getpid() or not _pid_alive(pid):
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _stale(db_path: Path, sources_dir: Path) -> bool:
    """Built from ``sources_dir`` and older than it (a store built from elsewhere, e.g.
    synthetic data, is never stale here)."""
    meta = store_meta(db_path)
    if (meta and meta.get("sources_dir") != str(sources_dir.resolve())) or not sources_dir.is_dir():
        return False
    return meta.get("fingerprint") != sources_fingerprint(sources_dir)


def repair_store(
    db_path: Path, sources_dir: Path | None = None, progress: Progress | None = None
) -> bool:
    """Rebuild a damaged store (truncated, corrupt, older schema) from the sources it was built
    from, or from ``sources_dir`` when its metadata is unreadable. True if rebuilt; False when
    the store is sound or absent; StoreDamaged (French, names the file) when there are no
    sources to rebuild it from."""
    db_path = Path(db_path)
    if not db_path.is_file():
        return False
    try:
        verify_store(db_path)
        return False
    except StoreDamaged as damaged:
        problem = damaged.problem
    meta = store_meta(db_path)
    origin = Path(meta.get("sources_dir") or sources_dir or DEFAULT_SOURCES)
    try:
        has_sources = origin.is_dir() and bool(checked_source_files(origin))
    except ButdataError:
        has_sources = False
    if not has_sources:
        raise StoreDamaged(
            db_path,
            f"{problem} ; aucun document source pour la reconstruire dans {printable(origin)} : "
            "lancez `python -m butdata build --sources DOSSIER`",
        )
    with write_lock(db_path):
        try:
            verify_store(db_path)  # another writer repaired it while this one waited
            return False
        except StoreDamaged:
            build_store(origin, db_path, progress)
    return True


def ensure_store(
    db_path: Path | None = None, sources_dir: Path | None = None, progress: Progress | None = None
) -> bool:
    """Build the store when missing, damaged, or built from these sources but stale (sources
    or schema changed since). A store built from elsewhere (e.g. synthetic data) is left alone.
    Staleness is checked again under the write lock, so that two processes starting at once
    build once. True if built."""
    db_path = Path(db_path or default_db_path())
    sources_dir = Path(sources_dir or DEFAULT_SOURCES)
    if db_path.is_file():
        if repair_store(db_path, sources_dir, progress):
            return True
        if not _stale(db_path, sources_dir):
            return False
    with write_lock(db_path):
        if db_path.is_file() and not _stale(db_path, sources_dir):
            return False
        build_store(sources_dir, db_path, progress)
    return True
