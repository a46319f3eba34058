"""The « Importer » tab of the Données page: drop one or several files (PDF, XLSX, CSV, ORéBUT
XML), « Vérifier » reads them once, the preview lists each table found (status, reliability,
checks, mini-matrix) with a box to keep it or not, then « Importer » writes and rebuilds.

The logic lives in ``butdata.store.imports``; this module only lays it out."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import polars as pl
import streamlit as st

from butdata import fmt
from butdata.errors import ButdataError, os_error
from butdata.settings import limits, size_text
from butdata.store import default_db_path
from butdata.store import imports as imp
from butdata.store import journal as jn
from butdata.store.import_read import upload_cell_image
from butdata.store.import_tables import SourceCell
from butdata.tidy.columns import BY_NAME
from butdata.vocab import DOCUMENT_LAYOUT_LABELS, SEVERITY_LABELS

from . import auth, data
from .tables import show_table

UPLOAD_TYPES = ["pdf", "xlsx", "csv", "xml"]
Upload = tuple[str, bytes, str]  # (name as uploaded, bytes, SHA-256)
ACTION_FR = {
    imp.ADDED: "ajouté",
    imp.REPLACED: "remplacé",
    imp.CONFLICT: "conflit",
    imp.REMOVED: "retiré",
    imp.SKIPPED: "écarté",
}
# Material icons (Streamlit's own font): emoji may have no glyph on a committee's projector.
CHECK_ICONS = {
    True: ":green[:material/check_circle:]",
    False: ":red[:material/cancel:]",
    None: ":gray[:material/remove_circle_outline:]",
}
# Tables shown unfolded (checks and mini-matrix) when the files hold this many or fewer.
UNFOLDED_TABLES = 4


_MARKDOWN = re.compile(r"([\\`*_\[\]<>#~$|])")


def md_text(text: str) -> str:
    """Text read from an uploaded file, shown as itself in Markdown (no emphasis, link or
    Streamlit directive made of its characters)."""
    return _MARKDOWN.sub(r"\\\1", text)


def errors_frame(preview: imp.ImportPreview) -> pl.DataFrame:
    """The errors of one file: its line (« page » for a PDF), column, message."""
    unit = preview.unit
    return pl.DataFrame(
        {
            unit: [e.row or None for e in preview.errors],
            "colonne": [
                BY_NAME[e.column].label if e.column in BY_NAME else (e.column or "")
                for e in preview.errors
            ],
            "erreur": [e.message for e in preview.errors],
        },
        schema={unit: pl.Int64, "colonne": pl.String, "erreur": pl.String},
    )


def changes_frame(preview: imp.ImportPreview, excluded: Sequence[str] = ()) -> pl.DataFrame:
    """What the import does to each table, once the unticked ones are left out."""
    changes = preview.changes_with(excluded)

    def detail(c: imp.TableChange, what: str) -> str:
        if c.table is None:
            return ""
        return str(getattr(c.table, what)())

    return pl.DataFrame(
        {
            "tableau": [c.label for c in changes],
            "action": [ACTION_FR[c.action] for c in changes],
            "statut": [c.table.status_label if c.table else "" for c in changes],
            "fiabilité": [c.table.reliability_label if c.table else "" for c in changes],
            "contrôles": [detail(c, "checks_summary") for c in changes],
            "UE": [c.n_ue for c in changes],
            "coefficients": [c.n_values for c in changes],
            "détail": [c.detail for c in changes],
            "identifiant": [c.table_id for c in changes],
        },
        schema={
            "tableau": pl.String,
            "action": pl.String,
            "statut": pl.String,
            "fiabilité": pl.String,
            "contrôles": pl.String,
            "UE": pl.Int64,
            "coefficients": pl.Int64,
            "détail": pl.String,
            "identifiant": pl.String,
        },
    )


def keep_key(batch: str, table_id: str) -> str:
    """The key of a table's « importer » box: one per file set, so a new file starts ticked."""
    return f"import_keep:{batch[:16]}:{table_id}"


def source_key(batch: str, table_id: str) -> str:
    """The key of a PDF table's « voir la source » choice."""
    return f"import_source:{batch[:16]}:{table_id}"


@st.cache_data(max_entries=64, ttl=900, show_spinner=False)
def _cell_png(
    name: str, digest: str, page: int, bbox: tuple[float, float, float, float], _data: bytes
) -> bytes:
    """The PNG of one cell of an uploaded PDF, drawn once per (file hash, cell)."""
    return upload_cell_image(name, _data, page, bbox)


def _source_picker(cells: Sequence[SourceCell], upload: Upload, key: str) -> None:
    """« Voir la source » of a value of an uploaded PDF: its cell on the page, framed in red."""
    name, data, digest = upload
    picked = st.selectbox(
        "Voir la source d'une valeur",
        [None, *range(len(cells))],
        format_func=lambda i: "—" if i is None else cells[i].label,
        key=key,
        help="Montre la région de la page du PDF où la valeur est imprimée, la cellule encadrée.",
    )
    if picked is None:
        return
    cell = cells[int(picked)]
    try:
        png = _cell_png(name, digest, cell.page, cell.bbox, data)
    except ButdataError as exc:
        st.caption(f"« {name} », page {cell.page} : extrait impossible — {exc}")
        return
    st.image(png, caption=f"« {name} », {cell.label}")


def _table_block(
    change: imp.TableChange, batch: str, unfolded: bool, upload: Upload | None
) -> bool:
    """One table found: its box (ticked: imported), what it is, its checks and mini-matrix, and
    for a PDF « voir la source » of its values."""
    t = change.table
    assert t is not None
    with st.container(border=True):
        what = [f"statut {t.status_label}"]
        if t.reliability_label != t.status_label:
            what.append(t.reliability_label)
        keep = st.checkbox(
            f"**{md_text(change.label)}** — {' · '.join([*what, t.checks_summary()])}",
            value=True,
            key=keep_key(batch, change.table_id),
            help="Décochez pour ne pas importer ce tableau (le fichier reste la source des "
            "autres).",
        )
        st.markdown(" · ".join(f"{what} : **{md_text(value)}**" for what, value in t.identity))
        extra = f" · {change.detail}" if change.detail else ""
        st.caption(
            f"identifiant : `{change.table_id}` · {fmt.integer(change.n_ue)} UE · "
            f"{fmt.integer(change.n_values)} coefficient(s) · {ACTION_FR[change.action]}{extra}"
        )
        with st.expander("Contrôles et coefficients", expanded=unfolded):
            for check in t.checks:
                st.markdown(f"{CHECK_ICONS[check.holds]} {md_text(check.text)}")
            for warning in t.warnings:
                st.markdown(f":orange[:material/warning:] {md_text(warning)}")
            if t.matrix is not None and t.matrix.width > 1:
                show_table(t.matrix, hide_index=True, width="stretch")
            else:
                st.caption("Aucune ligne d'UE lisible (titre seul).")
            if t.cells and upload is not None:
                _source_picker(t.cells, upload, source_key(batch, change.table_id))
    return keep


def show_preview(
    preview: imp.ImportPreview, batch: str, unfolded: bool, upload: Upload | None = None
) -> list[str]:
    """One file's preview; returns the ids of the tables unticked. ``upload``: the file's name
    as uploaded, bytes and hash (« voir la source » of a PDF draws from them)."""
    if preview.errors:
        st.error(
            f"Le fichier « {preview.name} » ne peut pas être importé : "
            f"{len(preview.errors)} erreur(s). Rien n'a été modifié ; corrigez-les "
            "puis déposez le fichier à nouveau."
        )
        show_table(
            errors_frame(preview),
            hide_index=True,
            width="stretch",
            column_config={"erreur": st.column_config.TextColumn(width="large")},
        )
        return []
    kind = DOCUMENT_LAYOUT_LABELS.get(preview.layout or "", preview.layout or "—")
    found = [c for c in preview.changes if c.table is not None]
    st.markdown(
        f"**{preview.name}** — lu comme {kind} : {fmt.integer(len(found))} tableau(x) trouvé(s)."
    )
    for note in preview.notes:
        st.info(note)
    doc = preview.document
    for issue in doc.issues if doc else []:
        where = f", {preview.unit} {issue.line}" if issue.line else ""
        severity = SEVERITY_LABELS.get(issue.severity, issue.severity)
        st.caption(f"{severity}{where} : {md_text(issue.message)}")
    return [c.table_id for c in found if not _table_block(c, batch, unfolded, upload)]


def summary_section(previews: list[imp.ImportPreview], excluded: list[str]) -> None:
    for preview in previews:
        if preview.errors:
            continue
        st.markdown(f"**{preview.name}** : {preview.summary(excluded)}")
        if preview.changes:
            show_table(changes_frame(preview, excluded), hide_index=True, width="stretch")
        if not preview.ok_with(excluded):
            st.error(
                "Des tableaux portent l'identifiant d'un tableau d'un autre document : import "
                "impossible tant que ces conflits demeurent (décochez-les, ou voyez la colonne "
                "« détail »)."
            )


@st.cache_resource(max_entries=8, ttl=900, show_spinner=False)
def _previews(
    files: tuple[tuple[str, str], ...],
    store: str,
    db: str,
    sources: str,
    _uploads: list[tuple[str, bytes]],
) -> list[imp.ImportPreview]:
    """The previews of one set of files against one version of the store, computed once per
    (names, hashes, store identity) for every session (``_uploads`` is not hashed again)."""
    return imp.preview_imports(_uploads, Path(db), Path(sources))


def _digest(upload: Any, content: bytes) -> str:
    """An upload's SHA-256, computed once per uploaded file (not on every rerun)."""
    file_id = getattr(upload, "file_id", None) or getattr(upload, "name", "")
    cache = st.session_state.setdefault("_import_digests", {})
    if file_id not in cache:
        if len(cache) > 32:
            cache.clear()
        cache[file_id] = imp.file_digest(content)
    return str(cache[file_id])


def import_section(sources: Path) -> None:
    if not auth.can_write():
        st.info(
            "Consultation seule : l'import de fichiers est réservé aux éditeurs connectés "
            "(barre latérale, « Se connecter »). Les téléchargements restent ouverts à tous."
        )
        return
    st.caption(
        "Déposez les MCC de votre département : le PDF (tableaux à bordures, tel que publié), "
        "un classeur XLSX (une feuille par tableau), le modèle CSV/XLSX rempli (colonnes "
        "décrites dans la feuille « Colonnes » du classeur exporté), ou l'export XML d'ORéBUT "
        "(le programme et le référentiel de compétences, déposés ensemble). « Vérifier » "
        "montre chaque tableau trouvé, ses contrôles et ses coefficients ; décochez ceux à ne "
        "pas importer. Rien ne change avant votre confirmation, et un fichier en erreur ne "
        "change rien. Les valeurs importées sont attribuées au fichier déposé."
    )
    files = st.file_uploader(
        "Fichiers à importer",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key="import_file",
    )
    if not files:
        return
    cap = limits().max_file_bytes
    uploads: list[tuple[str, bytes]] = []
    keys = []
    for upload in files:
        content = upload.getvalue()
        if len(content) > cap:
            st.error(
                f"« {upload.name} » fait {size_text(len(content))} : le plafond est "
                f"{size_text(cap)}. Rien n'a été lu."
            )
            return
        digest = _digest(upload, content)
        st.caption(f"« {upload.name} » · {size_text(len(content))} · empreinte {digest[:12]}")
        uploads.append((upload.name, content))
        keys.append((upload.name, digest))
    batch = hashlib.sha256(repr(keys).encode()).hexdigest()
    # The files are read only on request (a large file costs the server seconds), then once.
    if st.session_state.get("import_checked") != batch:
        label = "Vérifier le fichier" if len(uploads) == 1 else "Vérifier les fichiers"
        if not st.button(label, key="import_check", icon=":material/fact_check:"):
            return
        st.session_state["import_checked"] = batch
    db = default_db_path()
    previews = _previews(tuple(keys), data.store_key(), str(db), str(sources), uploads)
    n_tables = sum(c.table is not None for p in previews for c in p.changes)
    excluded: list[str] = []
    for preview, (name, content), (_, digest) in zip(previews, uploads, keys):
        excluded += show_preview(
            preview, batch, n_tables <= UNFOLDED_TABLES, (name, content, digest)
        )
    if any(p.errors for p in previews):
        if len(previews) > 1:
            st.warning("Un fichier en erreur : aucun des fichiers déposés ne sera importé.")
        return
    summary_section(previews, excluded)
    if not all(p.ok_with(excluded) for p in previews):
        return
    empty = [
        p.name
        for p in previews
        if p.document
        and p.document.tables
        and all(t.table_id in excluded for t in p.document.tables)
    ]
    if empty:
        st.warning(
            f"Aucun tableau coché dans « {', '.join(empty)} » : cochez-en au moins un, ou "
            "retirez ce fichier du dépôt."
        )
        return
    if st.button(
        "Importer et reconstruire la base",
        type="primary",
        key="import_confirm",
        icon=":material/upload:",
    ) and run_imports(uploads, db, sources, excluded):
        st.session_state["import_checked"] = None  # the store changed: check again if needed


def _file_names(uploads: Sequence[tuple[str, bytes]]) -> str:
    names = []
    for name, _ in uploads:
        try:
            names.append(imp.safe_name(name))
        except ButdataError:
            names.append(Path(name.replace("\\", "/")).name[:200])
    return ", ".join(names)[:400]


def _advance(bar: Any, fraction: float, message: str) -> None:
    bar.progress(min(fraction, 1.0), text=f"Reconstruction : {message}")


def run_imports(
    uploads: Sequence[tuple[str, bytes]], db: Path, sources: Path, excluded: Sequence[str] = ()
) -> bool:
    """The confirmed import: the editor gate, the atomic rebuild with a progress bar, a journal
    line per file; a French message either way."""
    file = _file_names(uploads)
    try:
        who = auth.require_editor("import", file)
    except ButdataError as exc:  # AccessDenied, or a journal that cannot be written
        st.error(str(exc))
        return False
    bar = st.progress(0.0, text="Reconstruction de la base…")
    try:
        previews, report = imp.apply_imports(
            uploads,
            db,
            sources,
            progress=lambda f, msg: _advance(bar, f, msg),
            author=who.name,
            excluded=excluded,
        )
    except (ButdataError, OSError) as exc:
        bar.empty()
        message = str(os_error(exc) if isinstance(exc, OSError) else exc)
        auth.record(who, "import", jn.FAILED, file=file, detail=message)
        st.error(message)
        return False
    except Exception as exc:  # journalled, then shown in French by the page's guard
        auth.record(who, "import", jn.FAILED, file=file, detail=type(exc).__name__)
        raise
    bar.empty()
    for preview in previews:
        auth.record(
            who,
            "import",
            jn.OK,
            file=preview.name,
            added=preview.ids(imp.ADDED, excluded),
            replaced=preview.ids(imp.REPLACED, excluded),
            removed=preview.ids(imp.REMOVED, excluded),
            detail=preview.summary(excluded),
        )
    data.clear()
    waited = (
        f" après {fmt.seconds(report.lock_wait)} d'attente d'une autre mise à jour"
        if report.lock_wait >= 0.5
        else ""
    )
    done = " ; ".join(f"« {p.name} » ajouté aux sources ({p.summary(excluded)})" for p in previews)
    st.success(
        f"Import terminé : {done} ; base reconstruite en {fmt.seconds(report.seconds)}{waited}."
    )
    return True
