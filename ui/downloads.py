"""Downloads of what is on screen: tables as CSV / XLSX, charts as standalone HTML (plotly.js
embedded, so the file opens offline). Files are generated only when clicked (callables). Every
table and chart shown through here is also registered for « Imprimer / PDF »."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from butdata.cellsafe import neutralise_frame

from . import printing

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv(df: pl.DataFrame) -> bytes:
    # ";" and a BOM: Excel-friendly in French locales; formula-like cells neutralised (cellsafe).
    return neutralise_frame(df).write_csv(separator=";").encode("utf-8-sig")


def _xlsx(df: pl.DataFrame, sheet: str, percent: Sequence[str] = ()) -> bytes:
    """An XLSX of the table: shares (0-1) formatted as percentages, numbers with 2 decimals."""
    # polars writes text cells as strings (never formulas): "=HYPERLINK(…)" stays text.
    buf = io.BytesIO()
    df.write_excel(
        buf,
        worksheet=sheet[:31],
        autofit=True,
        column_formats={c: "0.0 %" for c in percent if c in df.columns} or None,
        float_precision=2,
    )
    return buf.getvalue()


def exportable(df: pl.DataFrame) -> pl.DataFrame:
    """Nested columns (lists) flattened to text so that CSV/XLSX accept them (the frame itself
    when it has none: a shared view stays the same object, its Arrow table kept)."""
    if not any(isinstance(t, pl.List) for t in df.schema.values()):
        return df
    return df.with_columns(
        pl.col(c).cast(pl.List(pl.String)).list.join(", ")
        for c, t in df.schema.items()
        if isinstance(t, pl.List)
    )


def table_buttons(
    df: pl.DataFrame,
    name: str,
    key: str,
    title: str | None = None,
    percent: Sequence[str] = (),
) -> None:
    """CSV and XLSX buttons for one table (``name``: file stem, ``key``: unique widget prefix,
    ``title``: its title in the printed page, ``percent``: columns holding shares 0-1)."""
    df = exportable(df)
    printing.note_table(df, title or name.replace("-", " "), percent)
    c1, c2, _ = st.columns([1, 1, 6])
    c1.download_button(
        "CSV",
        data=lambda: _csv(df),
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"{key}_csv",
        icon=":material/download:",
        help="Télécharger ce tableau en CSV (séparateur « ; », pour Excel)",
    )
    c2.download_button(
        "XLSX",
        data=lambda: _xlsx(df, name, percent),
        file_name=f"{name}.xlsx",
        mime=XLSX_MIME,
        key=f"{key}_xlsx",
        icon=":material/download:",
        help="Télécharger ce tableau en classeur Excel",
    )


def chart_button(fig: go.Figure | Callable[[], go.Figure], name: str, key: str) -> None:
    """The interactive chart as a standalone HTML file, built when clicked (``fig``: the figure
    or what builds it)."""

    def html() -> bytes:
        figure = fig() if callable(fig) else fig
        return figure.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")

    st.download_button(
        "Graphique (HTML)",
        data=html,
        file_name=f"{name}.html",
        mime="text/html",
        key=key,
        icon=":material/download:",
        help="Le graphique interactif, lisible sans connexion",
    )


def chart(fig: go.Figure, name: str, key: str, title: str | None = None) -> None:
    """A chart full width with its download button below."""
    printing.note_figure(fig, title or _figure_title(fig) or name.replace("-", " "))
    st.plotly_chart(
        fig,
        width="stretch",
        key=f"{key}_fig",
        config={"displaylogo": False, "toImageButtonOptions": {"filename": name}},
    )
    chart_button(fig, name, f"{key}_html")


def _figure_title(fig: go.Figure) -> str | None:
    text = fig.layout.title.text if fig.layout.title else None
    return str(text) if text else None
