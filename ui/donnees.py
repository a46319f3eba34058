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
from butdata.vocab import STATUS_LABELS, labelled

from . import data
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
        "Modèle CSV",
        data=lambda: _export_bytes("csv", formations, table_ids),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        width="stretch",
    )
    c2.download_button(
        "Classeur XLSX",
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
    """One table as in the MCC documents, with its provenance and its reading warnings."""
    wide = wide_table(cursor(), table_id)
    t = wide.table
    st.markdown(f"**{t['title'] or table_label(t, formation=True, document=False)}**")
    st.caption(
        f"Source : {t['source']}, ligne {t['source_line']} · statut : "
        f"{labelled(STATUS_LABELS, t['status'])} · identifiant : `{t['table_id']}`"
    )
    if not wide.ues:
        st.info("Ce tableau n'a aucune ligne d'UE lisible dans le document (titre seul).")
        return
    if wide.note:
        st.info(wide.note)
    frame = wide.frame()
    config = {u: st.column_config.NumberColumn(u, format="%.2f") for u in wide.ues}
    config["Coeff. semestre"] = st.column_config.NumberColumn("Coeff. semestre", format="%.2f")
    config["Module"] = st.column_config.TextColumn("Module", width="large")
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config=config,
        height=min(38 * (frame.height + 1) + 3, 720),
    )
    warnings = data.warnings_of([table_id])
    if warnings.height:
        with st.expander(f"Avertissements de lecture ({warnings.height})"):
            st.dataframe(warnings, hide_index=True, width="stretch")


def errors_frame(preview: imp.ImportPreview) -> pl.DataFrame:
    from butdata.tidy.template import BY_NAME

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


def run_import(name: str, content: bytes, db: Path, sources: Path) -> bool:
    """The confirmed import: atomic rebuild with a progress bar; a French message either way."""
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
        st.error(str(os_error(exc) if isinstance(exc, OSError) else exc))
        return False
    bar.empty()
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
