"""What a printed page is made of: plain dataclasses, no layout, no Streamlit.

A page builds a `PrintPage` from what it shows (its selection, its frames, its figures) and
hands it to `butdata.report.render_pdf`. Blocks are printed in order.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import polars as pl

from butdata.errors import ButdataError


class ReportError(ButdataError):
    """The PDF could not be made; the message (French) says why."""


@dataclass(frozen=True)
class Heading:
    """A section title (``level=2``: a sub-section)."""

    text: str
    level: Literal[1, 2] = 1


@dataclass(frozen=True)
class Paragraph:
    """Plain text (no markup); line breaks are kept."""

    text: str


@dataclass(frozen=True, eq=False)
class TableBlock:
    """A polars frame printed as a table, every column kept.

    - ``percent``: ratio columns printed ×100 (``0.413`` → ``41,3 %``);
    - ``decimals``: fixed decimals of a number column (default: up to 2, trailing zeros
      dropped; 1 for a percent column);
    - ``highlight``: cells ``(row index, column name)`` printed on a tinted background;
    - ``key_columns``: how many leading columns identify a row: repeated on each part when the
      table is too wide for one page and its columns are split;
    - ``placeholder``: what a missing value prints as.
    """

    frame: pl.DataFrame
    title: str | None = None
    percent: Collection[str] = ()
    decimals: Mapping[str, int] = field(default_factory=dict)
    highlight: Collection[tuple[int, str]] = ()
    key_columns: int = 1
    placeholder: str = "—"
    note: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.frame, pl.DataFrame):
            raise ReportError(
                f"tableau « {self.title or 'sans titre'} » : un DataFrame polars "
                f"est attendu, reçu {type(self.frame).__name__}"
            )
        columns = set(self.frame.columns)
        named = {*self.percent, *self.decimals, *(c for _, c in self.highlight)}
        if unknown := sorted(named - columns):
            raise ReportError(
                f"tableau « {self.title or 'sans titre'} » : colonne(s) inconnue(s) "
                f"{', '.join(unknown)} (colonnes : {', '.join(self.frame.columns)})"
            )
        if self.key_columns < 0:
            raise ReportError("key_columns doit être positif ou nul")


@dataclass(frozen=True, eq=False)
class FigureBlock:
    """A plotly figure printed as an image under its title (default: the figure's own title,
    which is then taken out of the image so that it is not printed twice)."""

    fig: Any  # plotly.graph_objects.Figure (plotly ships no type hints)
    title: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Metrics:
    """Key figures in boxes: ``[("Modules", 24), ("Part SAÉ", "41,3 %")]``. Numbers are
    printed in French; pre-format percentages with `butdata.fmt.percent`."""

    items: Sequence[tuple[str, str | int | float | None]]
    title: str | None = None


Block: TypeAlias = Heading | Paragraph | TableBlock | FigureBlock | Metrics


@dataclass(frozen=True, eq=False)
class PrintPage:
    """Everything printed for one dashboard page.

    ``selection``: what the user chose, in order (``[("Formation", "QLIO"), ("Semestre",
    "S3")]``), printed under the title on every page; ``sources``: the documents and lines the
    numbers come from, listed in a « Sources » section at the end.
    """

    title: str
    selection: Sequence[tuple[str, str]] = ()
    blocks: Sequence[Block] = ()
    sources: Sequence[str] = ()
    generated_at: dt.datetime = field(default_factory=dt.datetime.now)
    author: str | None = None


def suggested_filename(page: PrintPage) -> str:
    """``butdata-comparer-les-parcours-2026-12-01-1042.pdf``: ASCII, no spaces."""
    ascii_title = unicodedata.normalize("NFKD", page.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60] or "page"
    return f"butdata-{slug}-{page.generated_at:%Y-%m-%d-%H%M}.pdf"
