"""Données page pieces: browse one table in the module x UE layout, download the template,
import department files (``ui.import_view``: upload -> preview -> pick tables -> confirm ->
atomic rebuild), the journal.

The logic lives in ``butdata.exports.tidy`` / ``butdata.store.imports``; this module only lays it out."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

import polars as pl
import streamlit as st

from butdata import fmt
from butdata.exports import tidy as ex
from butdata.labels import table_label
from butdata.store import default_db_path, open_store
from butdata.store import journal as jn
from butdata.store.read import file_identity
from butdata.vocab import RELIABILITY_LABELS, labelled

from . import auth, data, import_view, printing, source_view
from .format import warning_columns
from .source_view import sources_dir
from .tables import show_table

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    wide, shown = data.wide(table_id)
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
    printing.note_table(shown, t["title"] or info["full_label"])
    event = show_table(
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
    warnings = _warnings(data.store_key(), table_id)
    if warnings.height:
        with st.expander(f"Avertissements de lecture ({warnings.height})"):
            show_table(warnings, hide_index=True, width="stretch")


@data.shared
def _warnings(key: str, table_id: str) -> pl.DataFrame:
    """The table's reading warnings in French."""
    return data.warnings_of([table_id]).select(warning_columns())


def import_section() -> None:
    """« Importer »: see ``ui.import_view`` (the files go where the current store was built from)."""
    import_view.import_section(sources_dir())


def run_import(
    name: str, content: bytes, db: Path, sources: Path, excluded: Sequence[str] = ()
) -> bool:
    """The confirmed import of one file (``import_view.run_imports``)."""
    return import_view.run_imports([(name, content)], db, sources, excluded)


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


@functools.lru_cache(maxsize=8)
def _journal(path: str, identity: tuple[str, int, int, int] | None, limit: int) -> pl.DataFrame:
    """The journal in French, read again only when the file changes (``identity``)."""
    return journal_frame(jn.read(Path(path), limit=limit))


def journal_section(limit: int = 200) -> None:
    """« Journal des modifications »: who changed the store, when, with which file."""
    path = auth.journal_file()
    try:
        identity: tuple[str, int, int, int] | None = file_identity(path)
    except OSError:  # no journal yet
        identity = None
    entries = _journal(str(path), identity, limit)
    st.caption(
        "Chaque modification demandée (import d'un fichier…), réussie, échouée ou refusée, "
        f"avec son auteur ; les plus récentes d'abord. Fichier : `{path.name}`, à côté de la base."
    )
    if not entries.height:
        st.info("Aucune modification n'a encore été inscrite au journal.")
        return
    show_table(
        entries,
        hide_index=True,
        width="stretch",
        column_config={"détail": st.column_config.TextColumn(width="large")},
    )
