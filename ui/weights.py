"""Pieces of the « Poids par UE » page: one formation (composition, SAÉ share, spread) and every
formation of a semester or a year level (the SAÉ share of every UE against the band)."""

from __future__ import annotations

from typing import Any

import polars as pl
import streamlit as st

from butdata import charts
from butdata.analysis import compare as cmp
from butdata.vocab import EMPTY

from . import compare, data, downloads, printing, widgets
from .format import provenance
from .tables import show_table

ONE, ALL = "une", "toutes"
VIEWS = {ONE: "une formation", ALL: "toutes les formations"}
SPLIT = {"type": "type de module (SAÉ, ressource…)", "module": "module"}
LEVELS = {
    "S1": (1,),
    "S2": (2,),
    "S3": (3,),
    "S4": (4,),
    "S5": (5,),
    "S6": (6,),
    "BUT1": (1, 2),
    "BUT2": (3, 4),
    "BUT3": (5, 6),
}
LEVEL_LABELS = {k: (f"semestre {k[1]}" if k.startswith("S") else f"{k} (année)") for k in LEVELS}


@data.shared
def _composition(key: str, ids: tuple[str, ...], kind: str) -> Any:
    c = data.contents(ids)
    return charts.ue_stack(cmp.ue_weights(c["coefficients"], c["tables"], by=kind), by=kind)


@data.shared
def _summary(key: str, ids: tuple[str, ...]) -> dict[str, Any]:
    c = data.contents(ids)
    summary = cmp.ue_summary(c["coefficients"], c["ues"], c["tables"])
    table = compare.ue_table(summary)
    return {
        "summary": summary,
        "table": table,
        "text": compare.french_ue_table(table),
        "spread": charts.spread_chart(cmp.value_distribution(c["coefficients"], c["tables"])),
    }


@data.shared
def _share_chart(key: str, ids: tuple[str, ...], band: tuple[float, float]) -> Any:
    return charts.sae_share_chart(_summary(key, ids)["summary"], band)


@data.shared
def _has_unattributed(key: str, ids: tuple[str, ...]) -> bool:
    return bool(data.contents(ids)["coefficients"].filter(~cmp.attributable()).height)


def one_formation() -> None:
    tables = widgets.semester_tables()
    formation, semester = tables["formation"].first(), tables["semester"].first()
    ids = widgets.tables_pills(
        tables,
        parent=(formation, semester),
        key="tableaux",
        label="Tableaux affichés",
        n_default=min(tables.height, 3),
    )
    if not ids:
        st.info("Choisissez au moins un tableau.")
        st.stop()
    key, chosen = data.store_key(), tuple(ids)
    t = data.contents(ids)["tables"]
    provenance(t)
    if all(r in (EMPTY, None) for r in t["reliability"].to_list()):
        st.warning(
            "Ces tableaux sont vides dans le document (titre seul, aucune ligne de "
            "coefficients) : rien à peser. Choisissez un autre semestre ou voyez la Vue "
            "d'ensemble."
        )
        st.stop()
    if _has_unattributed(key, chosen):
        st.info(
            "Certaines valeurs apparaissent comme « (non attribuable) » : "
            + cmp.UNATTRIBUTED_REASON
            + "."
        )

    st.subheader("Composition du total de chaque UE")
    by = widgets.segmented("Découper par", SPLIT, key="par", default="type")
    kind = "kind" if by == "type" else "module"
    downloads.chart(_composition(key, chosen, kind), "composition-ue", "w_stack")

    st.subheader("Part des SAÉ par UE")
    band_col, _ = st.columns([2, 3])
    with band_col:
        band = widgets.band_slider()
    made = _summary(key, chosen)
    downloads.chart(_share_chart(key, chosen, tuple(band)), "part-sae", "w_share")
    with st.expander("Tableau des UE (totaux, ECTS, part SAÉ, lignes source)"):
        show_table(made["text"], hide_index=True, width="stretch")
        downloads.table_buttons(made["table"], "poids-ue", "w_ue", "Tableau des UE", ["part SAÉ"])

    st.subheader("Dispersion des coefficients des modules")
    st.caption(
        "Chaque point est le coefficient d'un module dans une UE d'un des tableaux choisis ; "
        "la boîte montre la médiane et les quartiles."
    )
    downloads.chart(made["spread"], "dispersion", "w_spread")


def all_formations() -> None:
    c1, c2, c3 = st.columns([1, 2, 2])
    with c1:
        level = widgets.segmented_select("Semestre ou année", LEVEL_LABELS, "niveau", "S3")
    summary = data.shares_across(LEVELS[level])
    docs = sorted(summary["doc"].unique().drop_nulls().to_list())
    formations = sorted(summary["formation"].unique().drop_nulls().to_list())
    with c2:
        chosen_docs = widgets.multi_filter("Documents", docs, "documents", parent=level)
    with c3:
        chosen = widgets.multi_filter("Formations", formations, "formations", parent=level)
    band_col, _ = st.columns([2, 3])
    with band_col:
        band = widgets.band_slider()
    shown = summary.filter(pl.col("doc").is_in(chosen_docs) & pl.col("formation").is_in(chosen))
    if shown.filter(pl.col("part_sae").is_not_null()).height == 0:
        st.info(
            "Aucune part SAÉ connue pour cette sélection (tableaux vides ou sans total par UE) : "
            "choisissez un autre semestre ou d'autres documents."
        )
        return
    st.caption(
        "Un point = une UE d'un tableau (parcours, site, document), sa part SAÉ (imprimée ou "
        "calculée à partir des types de modules). Survolez un point pour son tableau et sa "
        "ligne source."
    )
    downloads.chart(charts.sae_share_strip(shown, band), "part-sae-formations", "w_strip")
    table = shown.select(
        "formation",
        pl.col("full_label").alias("tableau"),
        pl.col("ue").alias("UE"),
        pl.col("part_sae").alias("part SAÉ"),
        pl.col("source").alias("fichier"),
        pl.col("source_line").alias("ligne"),
    )
    downloads.table_buttons(
        table, "part-sae-formations", "w_all", "Part des SAÉ par UE", ["part SAÉ"]
    )
    printing.note_text(f"{shown.height} UE de {shown['table_id'].n_unique()} tableaux.")
