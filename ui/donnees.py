"""Données page pieces: browse one table in the module x UE layout, download the template,
import a filled template (upload -> preview -> errors -> confirm -> atomic rebuild).

The logic lives in ``butdata.exports.tidy`` / ``butdata.store.imports``; this module only lays it out."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from butdata import fmt
from butdata.analysis.wide import wide_table
from butdata.errors import ButdataError, os_error
from butdata.exports import tidy as ex
from butdata.labels import table_label
from butdata.settings import limits, size_text
from butdata.store import DEFAULT_SOURCES, default_db_path, open_store, store_meta
from butdata.store import imports as imp
from butdata.store import journal as jn
from butdata.vocab import RELIABILITY_LABELS, SEVERITY_LABELS, WARNING_LABELS, labelled

from . import auth, data, printing, source_view
from .store import cursor

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACTION_FR = {
    imp.ADDED: "ajouté",
    imp.REPLACED: "remplacé",
    imp.CONFLICT: "conflit",
    imp.REMOVED: "retiré",
}


def sources_dir() -> Path:
    """The directory the current store was built from (where an import goes)."""
    meta = store_meta(default_db_path())
    return Path(meta.get("sources_dir") or DEFAULT_SOURCES)


def _export_bytes(
    fmt: str, formations: tuple[str, ...] | None, table_ids: tuple[str, ...] | None
) -> bytes:
    """Runs when the button is clicked (on another thread): its own read-only connection."""
    con = open_store(default_db_path())
    try:
        f, ids = (
            (list(formations) if formations else None),
            (list(table_ids) if table_ids else None),
        )
        return ex.csv_bytes(con, f, ids) if fmt == "csv" else ex.xlsx_bytes(con, f, ids)
    finally:
        con.close()


def download_buttons(
    name: str,
    key: str,
    formations: tuple[str, ...] | None = None,
    table_ids: tuple[str, ...] | None = None,
) -> None:
    c1, c2 = st.columns(2)
    c1.download_button(
        "Modèle (CSV)",
        data=lambda: _export_bytes("csv", formations, table_ids),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        width="stretch",
    )
    c2.download_button(
        "Classeur (XLSX)",
        data=lambda: _export_bytes("xlsx", formations, table_ids),
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        icon=":material/download:",
        width="stretch",
        help="Une feuille par tableau (modules × UE, comme dans les MCC) et la "
        "feuille « Modèle » à remplir puis réimporter.",
    )


def wide_view(table_id: str) -> None:
    """One table as in the MCC documents, with its provenance, what it allows, its reading
    warnings, and « voir la source » for a selected row."""
    wide = wide_table(cursor(), table_id)
    t = wide.table
    row = data.contents([table_id])
    info = row["tables"].row(0, named=True)
    st.markdown(f"**{t['title'] or table_label(t, formation=True, document=False)}**")
    st.caption(
        f"{info['doc']} — fichier {t['source']}, ligne {t['source_line']} · "
        f"{labelled(RELIABILITY_LABELS, info['reliability'])} · identifiant : `{t['table_id']}`"
    )
    printing.note_source(f"{info['full_label']} — fichier {t['source']}, ligne {t['source_line']}")
    if not wide.ues:
        st.info("Ce tableau n'a aucune ligne d'UE lisible dans le document (titre seul).")
        return
    if wide.note:
        st.info(wide.note)
    shown = wide.text_frame()
    printing.note_table(shown, t["title"] or info["full_label"])
    event = st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(36 * (shown.height + 1) + 3, 600),
        column_config={"Module": st.column_config.TextColumn("Module", width="large")},
        on_select="rerun",
        selection_mode="single-row",
        key="wide_grid",
    )
    st.caption("Cliquez sur une ligne pour voir ses valeurs dans le document source.")
    picked = event.selection.rows if event is not None else []
    if picked and picked[0] < len(wide.rows):
        key = wide.row_keys[picked[0]]
        code, name = wide.rows[picked[0]][0], wide.rows[picked[0]][1]
        module = None if key[0] == "v" and key[2] is None and key[3] is None else (code or name)
        with st.container(border=True):
            st.markdown(f"**Voir la source — {module or name}**")
            found = source_view.values_of(
                row["coefficients"], row["ues"], row["tables"], None, module, position=key[1]
            )
            if not found:
                st.caption("Ce module n'a aucun coefficient non nul dans ce tableau.")
            source_view.show_values(found)
    warnings = data.warnings_of([table_id])
    if warnings.height:
        with st.expander(f"Avertissements de lecture ({warnings.height})"):
            st.dataframe(
                warnings.select(
                    pl.col("source_line").alias("ligne"),
                    pl.col("severity")
                    .replace_strict(SEVERITY_LABELS, default=pl.col("severity"))
                    .alias("gravité"),
                    pl.col("code")
                    .replace_strict(WARNING_LABELS, default=pl.col("code"))
                    .alias("nature"),
                    pl.col("message"),
                ),
                hide_index=True,
                width="stretch",
            )


def errors_frame(preview: imp.ImportPreview) -> pl.DataFrame:
    from butdata.tidy.columns import BY_NAME

    return pl.DataFrame(
        {
            "ligne": [e.row for e in preview.errors],
            "colonne": [
                BY_NAME[e.column].label if e.column in BY_NAME else (e.column or "")
                for e in preview.errors
            ],
            "erreur": [e.message for e in preview.errors],
        },
        schema={"ligne": pl.Int64, "colonne": pl.String, "erreur": pl.String},
    )


def changes_frame(preview: imp.ImportPreview) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "tableau": [c.label for c in preview.changes],
            "action": [ACTION_FR[c.action] for c in preview.changes],
            "UE": [c.n_ue for c in preview.changes],
            "coefficients": [c.n_values for c in preview.changes],
            "détail": [c.detail for c in preview.changes],
            "identifiant": [c.table_id for c in preview.changes],
        },
        schema={
            "tableau": pl.String,
            "action": pl.String,
            "UE": pl.Int64,
            "coefficients": pl.Int64,
            "détail": pl.String,
            "identifiant": pl.String,
        },
    )


def show_preview(preview: imp.ImportPreview) -> None:
    if preview.errors:
        st.error(
            f"Le fichier « {preview.name} » ne peut pas être importé : "
            f"{len(preview.errors)} erreur(s). Rien n'a été modifié ; corrigez ces lignes "
            "puis déposez le fichier à nouveau."
        )
        st.dataframe(
            errors_frame(preview),
            hide_index=True,
            width="stretch",
            column_config={"erreur": st.column_config.TextColumn(width="large")},
        )
        return
    kind = (
        "modèle de données"
        if preview.layout == "template"
        else "tableau MCC (modules en lignes, UE en colonnes)"
    )
    st.markdown(f"**{preview.name}** — lu comme {kind}. {preview.summary()}")
    st.dataframe(changes_frame(preview), hide_index=True, width="stretch")
    issues = [(t, i) for t in preview.document.tables for i in t.issues if i.severity != "info"]
    if issues:
        with st.expander(f"Points à vérifier ({len(issues)})"):
            for t, i in issues:
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
                st.markdown(f"- {label}, ligne {i.line} : {i.message}")
    if not preview.ok:
        st.error(
            "Des tableaux portent l'identifiant d'un tableau d'un autre document : import "
            "impossible tant que ces conflits demeurent (voir la colonne « détail »)."
        )


@st.cache_resource(max_entries=8, ttl=900, show_spinner=False)
def _preview(
    name: str, sha256: str, store: str, db: str, sources: str, _data: bytes
) -> imp.ImportPreview:
    """The preview of one file against one version of the store, computed once per
    (name, hash, store identity) for every session (``_data`` is not hashed again)."""
    return imp.preview_import(name, _data, Path(db), Path(sources))


def _digest(upload: object, content: bytes) -> str:
    """The upload's SHA-256, computed once per uploaded file (not on every rerun)."""
    file_id = getattr(upload, "file_id", None) or getattr(upload, "name", "")
    cached = st.session_state.get("_import_digest")
    if cached and cached[0] == file_id:
        return str(cached[1])
    digest = imp.file_digest(content)
    st.session_state["_import_digest"] = (file_id, digest)
    return digest


def import_section() -> None:
    if not auth.can_write():
        st.info(
            "Consultation seule : l'import de fichiers est réservé aux éditeurs connectés "
            "(barre latérale, « Se connecter »). Les téléchargements restent ouverts à tous."
        )
        return
    st.caption(
        "Déposez un modèle rempli (CSV ou XLSX, colonnes décrites dans la feuille "
        "« Colonnes » du classeur exporté), ou un classeur MCC avec une feuille par tableau "
        "(modules en lignes, UE en colonnes). Rien ne change avant votre confirmation ; "
        "un fichier avec des erreurs ne change rien. Les valeurs importées sont attribuées "
        "au fichier déposé (le document qu'il dit reprendre est gardé à part)."
    )
    upload = st.file_uploader("Fichier à importer", type=["csv", "xlsx"], key="import_file")
    if upload is None:
        return
    content = upload.getvalue()
    cap = limits().max_file_bytes
    if len(content) > cap:
        st.error(
            f"« {upload.name} » fait {size_text(len(content))} : le plafond est "
            f"{size_text(cap)}. Rien n'a été lu."
        )
        return
    digest = _digest(upload, content)
    st.caption(f"« {upload.name} » · {size_text(len(content))} · empreinte {digest[:12]}")
    # The file is read only on request (a large file costs the server seconds), then once.
    if st.session_state.get("import_checked") != digest:
        if not st.button("Vérifier le fichier", key="import_check", icon=":material/fact_check:"):
            return
        st.session_state["import_checked"] = digest
    db, sources = default_db_path(), sources_dir()
    preview = _preview(upload.name, digest, data.store_key(), str(db), str(sources), content)
    show_preview(preview)
    if preview.errors or not preview.ok:
        return
    if st.button(
        "Importer et reconstruire la base",
        type="primary",
        key="import_confirm",
        icon=":material/upload:",
    ) and run_import(upload.name, content, db, sources):
        st.session_state["import_checked"] = None  # the store changed: check again if needed


def _changed_ids(preview: imp.ImportPreview, action: str) -> list[str]:
    return [c.table_id for c in preview.changes if c.action == action]


def run_import(name: str, content: bytes, db: Path, sources: Path) -> bool:
    """The confirmed import: the editor gate, the atomic rebuild with a progress bar, the
    journal line; a French message either way."""
    try:
        file = imp.safe_name(name)
    except ButdataError:
        file = Path(name.replace("\\", "/")).name[:200]
    try:
        who = auth.require_editor("import", file)
    except ButdataError as exc:  # AccessDenied, or a journal that cannot be written
        st.error(str(exc))
        return False
    bar = st.progress(0.0, text="Reconstruction de la base…")
    try:
        preview, report = imp.apply_import(
            name,
            content,
            db,
            sources,
            progress=lambda f, msg: bar.progress(min(f, 1.0), text=f"Reconstruction : {msg}"),
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
    auth.record(
        who,
        "import",
        jn.OK,
        file=preview.name,
        added=_changed_ids(preview, imp.ADDED),
        replaced=_changed_ids(preview, imp.REPLACED),
        removed=_changed_ids(preview, imp.REMOVED),
        detail=preview.summary(),
    )
    data.clear()
    waited = (
        f" après {fmt.seconds(report.lock_wait)} d'attente d'une autre mise à jour"
        if report.lock_wait >= 0.5
        else ""
    )
    st.success(
        f"Import terminé : « {preview.name} » ajouté aux sources ({preview.summary()}) "
        f"et base reconstruite en {fmt.seconds(report.seconds)}{waited}."
    )
    return True


OUTCOME_ICONS = {jn.OK: "✅ réussi", jn.FAILED: "⚠️ échoué", jn.REFUSED: "⛔ refusé"}


def journal_frame(entries: pl.DataFrame) -> pl.DataFrame:
    """The journal in French for the page: local dates via ``fmt.timestamp``, counts and ids."""

    def ids(col: str) -> list[str]:
        return [", ".join(v) for v in entries[col].to_list()]

    return pl.DataFrame(
        {
            "date": [
                fmt.timestamp(t.astimezone()) if t is not None else fmt.MISSING
                for t in entries["at"].to_list()
            ],
            "auteur": [a or "visiteur anonyme" for a in entries["author"].to_list()],
            "action": [
                jn.ACTION_LABELS.get(a, a or fmt.MISSING) for a in entries["action"].to_list()
            ],
            "fichier": [f or fmt.MISSING for f in entries["file"].to_list()],
            "résultat": [OUTCOME_ICONS.get(o, o) for o in entries["outcome"].to_list()],
            "ajoutés": ids("added"),
            "remplacés": ids("replaced"),
            "retirés": ids("removed"),
            "détail": entries["detail"].fill_null("").to_list(),
        },
        schema={
            c: pl.String
            for c in (
                "date",
                "auteur",
                "action",
                "fichier",
                "résultat",
                "ajoutés",
                "remplacés",
                "retirés",
                "détail",
            )
        },
    )


def journal_section(limit: int = 200) -> None:
    """« Journal des modifications »: who changed the store, when, with which file."""
    path = auth.journal_file()
    entries = jn.read(path, limit=limit)
    st.caption(
        "Chaque modification demandée (import d'un fichier…), réussie, échouée ou refusée, "
        f"avec son auteur ; les plus récentes d'abord. Fichier : `{path.name}`, à côté de la base."
    )
    if not entries.height:
        st.info("Aucune modification n'a encore été inscrite au journal.")
        return
    st.dataframe(
        journal_frame(entries),
        hide_index=True,
        width="stretch",
        column_config={"détail": st.column_config.TextColumn(width="large")},
    )
