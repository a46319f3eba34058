"""« Imprimer / PDF »: what a page shows, collected while it is drawn (its selection, tables and
figures, the sources), then turned into an A4 landscape PDF for the minutes when the button is
clicked. The page frame starts the collection and draws the button; ``downloads.table_buttons``
and ``downloads.chart`` register what they show, ``note_selection`` what is selected."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import plotly.graph_objects as go
import polars as pl
import streamlit as st

from butdata.report import (
    Block,
    FigureBlock,
    Heading,
    Paragraph,
    PrintPage,
    TableBlock,
    suggested_filename,
)

_KEY = "_print_page"


@dataclass
class Collected:
    title: str
    intro: str | None
    selection: list[tuple[str, str]] = field(default_factory=list)
    blocks: list[tuple[str, object, str]] = field(default_factory=list)  # (kind, content, title)
    sources: list[str] = field(default_factory=list)


def start(title: str, intro: str | None) -> None:
    st.session_state[_KEY] = Collected(title, intro)


def _current() -> Collected | None:
    page = st.session_state.get(_KEY)
    return page if isinstance(page, Collected) else None


def note_selection(label: str, value: str) -> None:
    page = _current()
    if page is not None and (label, value) not in page.selection:
        page.selection.append((label, value))


def note_table(frame: pl.DataFrame, title: str, percent: Sequence[str] = ()) -> None:
    page = _current()
    if page is not None:
        page.blocks.append(("table", (frame, tuple(percent)), title))


def note_figure(fig: go.Figure | Callable[[], go.Figure], title: str) -> None:
    """``fig``: the figure, or what builds it when the page is printed."""
    page = _current()
    if page is not None:
        page.blocks.append(("figure", fig, title))


def note_text(text: str, title: str = "") -> None:
    page = _current()
    if page is not None:
        page.blocks.append(("text", text, title))


def note_source(line: str) -> None:
    page = _current()
    if page is not None and line not in page.sources:
        page.sources.append(line)


def print_page(page: Collected, when: datetime) -> PrintPage:
    """The printable description of a collected page: its intro, then the tables, figures and
    texts in the order they were drawn, then the sources."""
    blocks: list[Block] = [Paragraph(page.intro)] if page.intro else []
    for kind, content, title in page.blocks:
        if kind == "table":
            frame, percent = content  # type: ignore[misc]
            blocks.append(TableBlock(frame, title=title, percent=percent, key_columns=2))
        elif kind == "figure":
            blocks.append(FigureBlock(content() if callable(content) else content, title=title))
        else:
            if title:
                blocks.append(Heading(title, level=2))
            blocks.append(Paragraph(str(content)))
    return PrintPage(
        title=page.title,
        selection=page.selection,
        blocks=blocks,
        sources=page.sources,
        generated_at=when,
    )


def pdf_bytes(page: Collected, when: datetime) -> bytes:
    """The PDF of a collected page (runs when the button is clicked, on another thread; the
    PDF engine is imported then, not when the page starts)."""
    from butdata.report import render_pdf

    return render_pdf(print_page(page, when))


def button() -> None:
    """The « Imprimer / PDF » download button of what this run drew."""
    page = _current()
    if page is None:
        return
    when = datetime.now()
    st.download_button(
        "Imprimer / PDF",
        data=lambda: pdf_bytes(page, datetime.now()),
        file_name=suggested_filename(print_page(page, when)),
        mime="application/pdf",
        icon=":material/print:",
        key="print_pdf",
        help="Un PDF A4 paysage de ce qui est à l'écran : la sélection, les tableaux et les "
        "graphiques, les sources et la date, pour le compte rendu.",
    )
