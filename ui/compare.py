"""Building blocks of the « Comparer les parcours » page (layout only; data from butdata)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import polars as pl
import streamlit as st

from butdata import charts, fmt
from butdata.analysis import compare as cmp
from butdata.vocab import EMPTY, MODULES_KNOWN

from . import data, downloads, source_view
from .tables import show_table

ROW_COLORS = {cmp.PARTLY: "#fff1d6", cmp.CHANGED: "#dbe8fb", cmp.SAME: "#ffffff"}
ABSENT = "absent"


def matrix_view(matrix: pl.DataFrame, labels: list[str]) -> pl.DataFrame:
    """The comparison as people read it: French column names, no empty cell left blank."""
    return matrix.select(
        pl.col("ue").alias("UE"),
        pl.col("module"),
        pl.col("module_name").fill_null("—").alias("intitulé"),
        pl.col("kind").alias("type"),
        *labels,
        "statut",
        pl.col("lignes").alias("lignes source"),
    )


def matrix_css(view: pl.DataFrame, labels: list[str]) -> pd.DataFrame:
    """CSS of every cell: rows coloured by status, a changed value in bold (the value that
    differs from the most common one), an absent cell greyed."""
    pdf = view.to_pandas()

    def row_style(row: pd.Series) -> list[str]:
        color = ROW_COLORS.get(row["statut"], "#ffffff")
        styles = []
        present = [row[lab] for lab in labels if pd.notna(row[lab])]
        for col in row.index:
            css = f"background-color: {color}"
            if col in labels:
                if pd.isna(row[col]):
                    css += "; color: #777777"
                elif (
                    row["statut"] == cmp.CHANGED
                    and len(set(present)) > 1
                    and row[col] != max(present, key=present.count)
                ):
                    css += "; font-weight: 700; color: #0b3d91"
            styles.append(css)
        return styles

    if pdf.empty:
        return pd.DataFrame("", index=pdf.index, columns=pdf.columns)
    return pdf.apply(row_style, axis=1, result_type="expand").set_axis(pdf.columns, axis=1)


def empty_tables(tables: pl.DataFrame) -> list[tuple[str, str]]:
    """(document, label) of the tables without values (plain lists: a polars filter costs
    ≈ 0.3 ms on every rerun for a handful of rows)."""
    return [
        (doc, label)
        for doc, label, reliability in zip(
            tables["doc"].to_list(), tables["label"].to_list(), tables["reliability"].to_list()
        )
        if reliability == EMPTY
    ]


def warnings_shown(table_ids: list[str] | tuple[str, ...]) -> pl.DataFrame:
    """The reading warnings of these tables as the page shows them."""
    return _warnings_shown(data.store_key(), tuple(table_ids))


@data.shared
def _warnings_shown(key: str, table_ids: tuple[str, ...]) -> pl.DataFrame:
    return data.warnings_of(table_ids).select(
        pl.col("source").alias("fichier"), pl.col("source_line").alias("ligne"), pl.col("message")
    )


@data.shared
def _styled_parts(
    key: str, table_ids: tuple[str, ...], only_diff: bool
) -> tuple[pl.DataFrame, pl.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The rows shown, as people read them, as pandas, and their CSS (built once per choice)."""
    v = view(table_ids)
    matrix, labels = v["matrix"], v["sub_labels"]
    shown = matrix.filter(pl.col("statut") != cmp.SAME) if only_diff else matrix
    frame = matrix_view(shown, labels)
    return shown, frame, frame.to_pandas(), matrix_css(frame, labels)


def styled_matrix(pdf: pd.DataFrame, css: pd.DataFrame, labels: list[str]) -> Any:
    """Pandas Styler of the cached frame and CSS (a new Styler each run: Streamlit computes it,
    so it is never shared between sessions): absent cells read « absent »."""
    number = {lab: (lambda v: ABSENT if pd.isna(v) else fmt.number(float(v), 4)) for lab in labels}
    return pdf.style.apply(lambda _: css, axis=None).format(number)


@data.shared
def _view(key: str, table_ids: tuple[str, ...]) -> dict[str, Any]:
    c = data.contents(table_ids)
    t = c["tables"]
    summary = cmp.ue_summary(c["coefficients"], c["ues"], t)
    values = cmp.value_distribution(c["coefficients"], t)
    by_module = t.filter(pl.col("reliability") == MODULES_KNOWN)
    ues = ue_table(summary)
    out: dict[str, Any] = {
        "ids": table_ids,
        "contents": c,
        "by_module": by_module,
        "others": t.filter(
            (pl.col("reliability") != MODULES_KNOWN) & (pl.col("reliability") != EMPTY)
        ),
        "ue_table": ues,
        "ue_text": french_ue_table(ues),
        "strip": charts.ue_values_strip(values),
    }
    if by_module.height >= 2:
        matrix = cmp.compare_modules(c["coefficients"], by_module)
        labels = by_module["label"].to_list()
        counts = matrix["statut"].value_counts()
        out.update(
            matrix=matrix,
            sub_labels=labels,
            counts=dict(zip(counts["statut"].to_list(), counts["count"].to_list())),
            heatmap=charts.compare_heatmap(matrix, labels),
        )
    return out


def view(table_ids: Any) -> dict[str, Any]:
    """Everything the page shows for these tables, computed once per store file and choice
    (shared by sessions, never mutated): the ids, contents, the module matrix and its counts,
    the UE table, the figures."""
    return _view(data.store_key(), tuple(table_ids))


def module_comparison(v: dict[str, Any]) -> None:
    labels, by, contents = v["sub_labels"], v["counts"], v["contents"]
    c = st.columns(3)
    c[0].metric(
        "Identiques", by.get(cmp.SAME, 0), help="même coefficient dans tous les parcours choisis"
    )
    c[1].metric(
        "Coefficient modifié",
        by.get(cmp.CHANGED, 0),
        help="présent partout, coefficient différent (en gras, sur fond bleu)",
    )
    c[2].metric(
        "Pas dans tous les parcours",
        by.get(cmp.PARTLY, 0),
        help="module absent d'au moins un parcours (fond orange, « absent »)",
    )
    only_diff = st.toggle("N'afficher que les différences", key="diff")
    shown, frame, pdf, css = _styled_parts(data.store_key(), v["ids"], only_diff)
    event = show_table(
        styled_matrix(pdf, css, labels),
        ABSENT,  # a module missing from a parcours
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * frame.height, 560),
        on_select="rerun",
        selection_mode="single-row",
        key="cmp_grid",
        column_config={
            "intitulé": st.column_config.TextColumn(width="medium"),
            "lignes source": st.column_config.TextColumn(width="medium"),
        },
    )
    st.caption(
        "Fond orange : module absent d'au moins un parcours · fond bleu : coefficient "
        "modifié (valeur différente en gras) · blanc : identique. Les modules sont "
        "rapprochés par leur code imprimé. Cliquez sur une ligne pour voir ses valeurs dans "
        "les documents sources."
    )
    rows = event.selection.rows if event is not None else []
    if rows:
        picked = shown.row(rows[0], named=True)
        with st.container(border=True):
            st.markdown(f"**Voir la source — {picked['ue']} · {picked['module']}**")
            found = source_view.values_of(
                contents["coefficients"],
                contents["ues"],
                v["by_module"],
                picked["competence"],
                picked["module"],
            )
            source_view.show_values(found)
    downloads.table_buttons(
        frame, "comparaison-modules", "cmp_matrix", "Coefficients module par module"
    )


def ue_table(summary: pl.DataFrame) -> pl.DataFrame:
    return summary.select(
        pl.col("ue").alias("UE"),
        pl.col("label").alias("parcours"),
        pl.col("somme").round(3).alias("total des coefficients"),
        pl.col("total").alias("total imprimé"),
        pl.col("ects").alias("ECTS"),
        pl.col("part_sae").alias("part SAÉ"),
        pl.when(pl.col("sae_share_printed"))
        .then(pl.lit("imprimée"))
        .otherwise(pl.lit("calculée"))
        .alias("part SAÉ : origine"),
        pl.col("n_valeurs").alias("valeurs"),
        pl.col("n_sans_module").alias("sans module"),
        pl.col("source").alias("fichier"),
        pl.col("source_line").alias("ligne"),
    )


def french_ue_table(table: pl.DataFrame) -> pl.DataFrame:
    """The UE table with its numbers as French text (« 41,25 % », « 8 », « — »). Formatted in
    Python lists, not with polars ``map_elements``: a Python function called from polars'
    threads deadlocks when several sessions render at once (seen under load)."""
    return table.with_columns(
        pl.Series("part SAÉ", [fmt.percent(v) for v in table["part SAÉ"].to_list()], pl.String),
        *[
            pl.Series(c, [fmt.number(v, 3) for v in table[c].to_list()], pl.String)
            for c in ("total des coefficients", "total imprimé", "ECTS")
        ],
    )


def ue_level(v: dict[str, Any], key: str) -> None:
    show_table(v["ue_text"], hide_index=True, width="stretch")
    downloads.table_buttons(
        v["ue_table"],
        "comparaison-ue",
        f"{key}_ue",
        "Totaux, ECTS et part des SAÉ par UE",
        ["part SAÉ"],
    )
    downloads.chart(v["strip"], "valeurs-par-ue", f"{key}_strip")
