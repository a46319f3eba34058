"""Atomic build of the store from a sources directory.

The build writes a temporary file next to the target and moves it over the old store with
``os.replace`` only once everything succeeded, so an interrupted or failed build never damages
the existing store. ``ensure_store`` rebuilds a store only when its sources changed.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from butdata.errors import ButdataError, SourceError
from butdata.model import Document
from butdata.readers import meta_path, read_document, source_files
from butdata.store.read import DEFAULT_SOURCES, default_db_path, store_meta
from butdata.store.schema import SCHEMA, SCHEMA_VERSION


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


Progress = Callable[[float, str], None]


def sources_fingerprint(sources_dir: Path) -> str:
    """Hash of the schema version and every source file: a store is stale when it differs."""
    h = hashlib.sha256(SCHEMA_VERSION.encode())
    for path in source_files(sources_dir):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        meta = meta_path(path)
        if meta.is_file():
            h.update(meta.name.encode() + b"\0" + meta.read_bytes() + b"\0")
    return h.hexdigest()


def _frames(documents: list[Document], hashes: dict[str, str]) -> dict[str, pl.DataFrame]:
    rows: dict[str, list[dict]] = {
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
            seen_ids.add(t.table_id)
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
    files = source_files(sources_dir)
    if not files:
        raise ButdataError(f"aucun document source dans {sources_dir}")
    documents, hashes = [], {}
    for i, path in enumerate(files):
        if progress:
            progress(i / len(files), f"lecture de {path.name}")
        try:
            documents.append(read_document(path))
        except SourceError:
            raise
        except Exception as exc:  # a reader bug must still name the file at fault
            raise SourceError(
                path.name, None, f"lecture impossible ({type(exc).__name__}: {exc})"
            ) from None
        hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return documents, hashes


def build_store(
    sources_dir: Path | None = None, db_path: Path | None = None, progress: Progress | None = None
) -> BuildReport:
    """Parse every document of ``sources_dir`` and atomically replace the store at ``db_path``."""
    start = time.perf_counter()
    sources_dir = Path(sources_dir or DEFAULT_SOURCES)
    db_path = Path(db_path or default_db_path())
    if not sources_dir.is_dir():
        raise ButdataError(f"dossier de sources introuvable : {sources_dir}")
    fingerprint = sources_fingerprint(sources_dir)
    documents, hashes = parse_sources(sources_dir, progress)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(db_path)
    tmp = db_path.with_name(f"{db_path.name}.tmp-{os.getpid()}")
    tmp.unlink(missing_ok=True)
    try:
        if progress:
            progress(0.9, "écriture de la base")
        write_store(documents, tmp, hashes, fingerprint, str(sources_dir.resolve()))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, db_path)  # atomic on POSIX: readers see the old or the new store
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
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
    return BuildReport(db_path, summaries, time.perf_counter() - start)


def _remove_stale_temporaries(db_path: Path) -> None:
    """Temporary files left by killed builds (their process is gone)."""
    for tmp in db_path.parent.glob(f"{db_path.name}.tmp-*"):
        pid = tmp.name.rsplit("-", 1)[-1].split(".")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _pid_alive(int(pid)):
            tmp.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def ensure_store(
    db_path: Path | None = None, sources_dir: Path | None = None, progress: Progress | None = None
) -> bool:
    """Build the store when missing, or when built from these sources but stale (sources or
    schema changed since). A store built from elsewhere (e.g. synthetic data) is left alone.
    True if built."""
    db_path = Path(db_path or default_db_path())
    sources_dir = Path(sources_dir or DEFAULT_SOURCES)
    if db_path.exists():
        meta = store_meta(db_path)
        if (
            meta and meta.get("sources_dir") != str(sources_dir.resolve())
        ) or not sources_dir.is_dir():
            return False
        if meta.get("fingerprint") == sources_fingerprint(sources_dir):
            return False
    build_store(sources_dir, db_path, progress)
    return True
