"""Poids par UE: how each UE's total splits between modules / kinds, SAÉ share vs a target band,
and the spread of module weights across parcours."""

import polars as pl
import streamlit as st

from butdata import charts
from butdata.analysis import compare as cmp
from ui import compare, data, downloads, widgets
from ui.format import provenance
from ui.layout import page

with page(
    "Poids par UE",
    "Pour un ou plusieurs parcours d'un semestre : de quoi est fait le total de chaque UE, "
    "la part des SAÉ face à une cible, et la dispersion des coefficients des modules.",
):
    tables = widgets.semester_tables()
    ids = widgets.tables_multiselect(
        tables, key="tableaux", label="Parcours affichés", min_default=min(tables.height, 3)
    )
    if not ids:
        st.info("Choisissez au moins un parcours.")
        st.stop()

    c = data.contents(ids)
    t = c["tables"]
    provenance(t)
    if c["coefficients"].filter(pl.col("module_code").is_null()).height:
        st.warning(
            "Certaines valeurs apparaissent comme « (non attribuable) » : "
            + cmp.UNATTRIBUTED_REASON
            + "."
        )

    st.subheader("Composition du total de chaque UE")
    by = st.segmented_control(
        "Découper par",
        ["type", "module"],
        default="type",
        key="par",
        format_func={"type": "type de module (SAÉ, ressource…)", "module": "module"}.get,
        required=True,
        **widgets.BOUND,
    )
    weights = cmp.ue_weights(c["coefficients"], t, by="kind" if by == "type" else "module")
    fig = charts.ue_stack(weights, by="kind" if by == "type" else "module")
    downloads.chart(fig, "composition-ue", "w_stack")

    st.subheader("Part des SAÉ par UE")
    lo, hi = st.slider(
        "Cible de part SAÉ (%) — réglage local, à adapter",
        0,
        100,
        (40, 60),
        step=5,
        key="cible",
        **widgets.BOUND,
        help="Réglage local : la fourchette réglementaire n'est pas vérifiée. "
        "Plusieurs IUT visent environ 40 % de SAÉ ; 40-60 % est une suggestion.",
    )
    summary = cmp.ue_summary(c["coefficients"], c["ues"], t)
    fig2 = charts.sae_share_chart(summary, (lo / 100, hi / 100))
    downloads.chart(fig2, "part-sae", "w_share")
    table = compare.ue_table(summary)
    with st.expander("Tableau des UE (totaux, ECTS, part SAÉ, lignes source)"):
        st.dataframe(
            table,
            hide_index=True,
            width="stretch",
            column_config={"part SAÉ": st.column_config.NumberColumn(format="percent")},
        )
        downloads.table_buttons(table, "poids-ue", "w_ue")

    st.subheader("Dispersion des coefficients des modules")
    st.caption(
        "Chaque point est le coefficient d'un module dans une UE d'un des parcours choisis ; "
        "la boîte montre la médiane et les quartiles."
    )
    fig3 = charts.spread_chart(cmp.value_distribution(c["coefficients"], t))
    downloads.chart(fig3, "dispersion", "w_spread")
