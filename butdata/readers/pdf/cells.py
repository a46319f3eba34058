"""Rows of cells: what the layout readers work on, whether the rows come from a PDF's ruled
tables (cells with their boxes) or from a spreadsheet's sheets (cells with their column).

Kept free of pdfplumber so that the spreadsheet readers share the layout logic without it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from butdata.text import normalize

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom (PDF points, from the top-left)


@dataclass(frozen=True)
class Cell:
    """One cell: its text as printed (normalised, ``""`` when empty) and its horizontal extent
    (PDF points, or ``column, column + 1`` in a sheet); ``bbox`` is the PDF cell box."""

    text: str
    x0: float
    x1: float
    bbox: BBox | None = None

    def overlap(self, other: Cell) -> float:
        """Share of the narrower cell's width that the two cells have in common (0-1)."""
        common = min(self.x1, other.x1) - max(self.x0, other.x0)
        width = min(self.x1 - self.x0, other.x1 - other.x0)
        return max(0.0, common) / width if width > 0 else 0.0


@dataclass
class CellRow:
    """One row of a table, its cells left to right (cells covered by a merged neighbour left
    out). ``line`` is the provenance line stored with its values: the page of a PDF, the row of
    a sheet; ``page`` is the PDF page (None for a sheet)."""

    cells: list[Cell]
    line: int
    page: int | None = None
    top: float = 0.0
    bottom: float = 0.0

    @property
    def texts(self) -> list[str]:
        return [c.text for c in self.cells]

    @property
    def filled(self) -> list[Cell]:
        return [c for c in self.cells if c.text]


@dataclass
class TextLine:
    """A line of text outside any table (a heading, a footer...), with its position."""

    text: str
    line: int
    page: int | None = None
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0


@dataclass
class Group:
    """The rows of one ruled table (PDF) or one run of non-blank rows (sheet)."""

    rows: list[CellRow]
    x0: float = 0.0
    top: float = 0.0
    x1: float = 0.0
    bottom: float = 0.0


@dataclass
class Page:
    """What a page (or a sheet) holds, for the layout readers: its tables and its text lines."""

    number: int  # 1-based page, or sheet index
    groups: list[Group] = field(default_factory=list)
    lines: list[TextLine] = field(default_factory=list)
    width: float = 0.0
    name: str | None = None  # sheet name
    unmapped: int = 0  # characters whose font gives no text (shown « (cid:N) »)


# --------------------------------------------------------------------------- cell text

_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
_DASHES = {"-", "–", "—", "‐"}


def fold(text: str) -> str:
    """Lower case, no accents, single spaces: « Total SAÉ » -> « total sae » (for matching
    labels whatever their case, accents or spacing)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", ascii_text).strip().lower()


def clean(text: str) -> str:
    """A cell's text as stored: normalised spaces and dashes (``butdata.text.normalize``)."""
    return normalize(text)


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.replace(" ", "")))


def is_dash(text: str) -> bool:
    return text.strip() in _DASHES


def number(text: str) -> float:
    """A printed decimal, comma or point (« 12,5 », « 0.50 »); ValueError otherwise."""
    token = text.replace(" ", "")
    if not _NUMBER.match(token):
        raise ValueError(text)
    return float(token.replace(",", "."))


def reading_order(page: Page) -> list[TextLine | Group]:
    """Text lines and tables of a page in reading order. The page is cut into horizontal bands
    at the blank gaps between its items; consecutive bands split into the same columns (blank
    vertical gaps at the same place) are read as one band, column by column, left to right;
    each column is read the same way. Two semesters side by side are thus read one after the
    other, each top to bottom, and a heading or a table across the page stays in its place."""
    return _order([*page.groups, *page.lines])


Item = TextLine | Group
_SLACK = 0.5  # boxes overlapping by less than this (line widths) do not overlap


def _bands(items: list[Item], vertical: bool) -> list[list[Item]]:
    """Items cut at the blank gaps between them, top to bottom (or left to right)."""
    if vertical:
        spans = sorted(items, key=lambda i: (i.top, i.x0))
    else:
        spans = sorted(items, key=lambda i: (i.x0, i.top))

    def start(i: Item) -> float:
        return i.top if vertical else i.x0

    def end(i: Item) -> float:
        return i.bottom if vertical else i.x1

    bands: list[list[Item]] = []
    reach = float("-inf")
    for item in spans:
        if bands and start(item) < reach - _SLACK:
            bands[-1].append(item)
        else:
            bands.append([item])
        reach = max(reach, end(item)) if len(bands[-1]) > 1 else end(item)
    return bands


def _gaps(columns: list[list[Item]]) -> list[tuple[float, float]]:
    return [(max(i.x1 for i in a), min(i.x0 for i in b)) for a, b in zip(columns, columns[1:])]


def _same_columns(
    band: list[Item], gaps: list[tuple[float, float]], previous: list[tuple[float, float]]
) -> bool:
    """Whether ``band`` goes on with the columns above: split at the same places, or (a
    column longer than the others) lying within one of them, across no gap."""
    if gaps:
        return len(gaps) == len(previous) and all(
            max(a[0], b[0]) < min(a[1], b[1]) for a, b in zip(gaps, previous)
        )
    return all(i.x1 <= g0 + _SLACK or i.x0 >= g1 - _SLACK for i in band for g0, g1 in previous)


def _order(items: list[Item]) -> list[Item]:
    if len(items) <= 1:
        return list(items)
    merged: list[tuple[list[Item], list[tuple[float, float]]]] = []
    for band in _bands(items, vertical=True):
        gaps = _gaps(_bands(band, vertical=False))
        if merged and merged[-1][1] and _same_columns(band, gaps, merged[-1][1]):
            both = merged[-1][0] + band
            merged[-1] = (both, _gaps(_bands(both, vertical=False)))
            continue
        merged.append((band, gaps))
    if len(merged) == 1 and not merged[0][1]:  # one band, one column: nothing to cut
        return sorted(items, key=lambda i: (i.top, i.x0))
    out: list[Item] = []
    for band, gaps in merged:
        if gaps:
            for column in _bands(band, vertical=False):
                out += _order(column)
        else:
            out += sorted(band, key=lambda i: (i.top, i.x0)) if len(merged) > 1 else band
    return out


def under(row: CellRow, head: Cell | None) -> Cell | None:
    """The cell of ``row`` lying under ``head``: the one sharing more than half of the
    narrower width with it (the column of a value is where it is printed, not its index)."""
    if head is None:
        return None
    best, share = None, 0.5
    for c in row.cells:
        s = c.overlap(head)
        if s > share:
            best, share = c, s
    return best


def left_of(cell: Cell, x: float) -> bool:
    """Whether ``cell`` lies left of ``x`` (its middle does: PDF points or sheet columns)."""
    return (cell.x0 + cell.x1) / 2 < x
