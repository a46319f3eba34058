"""Downloads of what is on screen: tables as CSV / XLSX, charts as standalone HTML (plotly.js
embedded, so the file opens offline). Files are generated only when clicked (callables)."""

from __future__ import annotations

import io

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from butdata.cellsafe import neutralise_frame


def _csv(df: pl.DataFrame) -> bytes:
    # ";" and a BOM: Excel-friendly in French locales; formula-like cells neutralised (cellsafe).
    return neutralise_frame(df).write_csv(separator=";").encode("utf-8-sig")


def _xlsx(df: pl.DataFrame, sheet: str) -> bytes:
    # polars writes text cells as strings (never formulas): "=HYPERLINK(…)" stays text.
    buf = io.BytesIO()
    df.write_excel(buf, worksheet=sheet[:31], autofit=True)
    return buf.getvalue()


def exportable(df: pl.DataFrame) -> pl.DataFrame:
    """Nested columns (lists) flattened to text so that CSV/XLSX accept them."""
    return df.with_columns(
        pl.col(c).cast(pl.List(pl.String)).list.join(", ")
        for c, t in df.schema.items()
        if isinstance(t, pl.List)
    )


def table_buttons(df: pl.DataFrame, name: str, key: str) -> None:
    """CSV and XLSX buttons for one table (``name``: file stem, ``key``: unique widget prefix)."""
    df = exportable(df)
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(
        "Télécharger (CSV)",
        data=lambda: _csv(df),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
    )
    c2.download_button(
        "Télécharger (XLSX)",
        data=lambda: _xlsx(df, name),
        file_name=f"{name}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        icon=":material/download:",
    )


def chart_button(fig: go.Figure, name: str, key: str) -> None:
    st.download_button(
        "Télécharger le graphique (HTML)",
        data=lambda: fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8"),
        file_name=f"{name}.html",
        mime="text/html",
        key=key,
        icon=":material/download:",
    )


def chart(fig: go.Figure, name: str, key: str) -> None:
    """A chart full width with its download button below."""
    st.plotly_chart(
        fig,
        width="stretch",
        key=f"{key}_fig",
        config={"displaylogo": False, "toImageButtonOptions": {"filename": name}},
    )
    chart_button(fig, name, f"{key}_html")
