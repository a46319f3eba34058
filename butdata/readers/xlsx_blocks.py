"""MCC drafts in XLSX laid out in blocks, as departments draft the block layout before
printing it: the same logic as the PDF reader's (``butdata.readers.pdf.blocks_layout``), fed
with the sheets' rows instead of the PDF's ruled tables.

Input: the sheets as ``readers.xlsx_draft.read_draft`` takes them, ``[(sheet name, [(row
number, cell values, number formats), …]), …]``. A sheet is a page: its runs of non-blank rows
are its tables, a row holding a single text cell that names a formation, a year, a parcours or
a semester is a heading (carried over to the following sheets like the PDF's headings). A
value's line is its sheet row; each table says in an info warning which sheet(s) it was read
from. Numbers keep the text the sheet shows (``0.50`` for a ``0.00`` format).
"""

from __future__ import annotations

from typing import Any

from butdata.errors import SourceError
from butdata.ids import assign_table_ids
from butdata.model import Document
from butdata.readers.pdf.blocks_layout import LAYOUT, BlocksReader
from butdata.readers.pdf.cells import Cell, CellRow, Group, Page, TextLine, clean, reading_order
from butdata.readers.pdf.sniff import BLOCKS, sniff
from butdata.readers.xlsx_draft import _printed

XLSX_LAYOUT = f"{LAYOUT}-xlsx"

Sheet = tuple[str, list[tuple[int, list[Any], list[str | None]]]]


def _text(value: Any, number_format: str | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return clean(str(value))
    if isinstance(value, (int, float)):
        return _printed(value, number_format)
    return clean(str(value))


def sheet_page(index: int, name: str, rows: list[tuple[int, list[Any], list[str | None]]]) -> Page:
    """A sheet as a page: its tables are the blocks of cells that blank rows and blank columns
    set apart (cut recursively, as the PDF's reading order cuts a page), cells at their
    column."""
    page = Page(number=index, name=name)
    cells: dict[tuple[int, int], str] = {}
    for row_no, values, formats in rows:
        for i, v in enumerate(values):
            text = _text(v, formats[i] if i < len(formats) else None)
            if text:
                cells[(row_no, i)] = text
    for leaf in _leaves(sorted(cells), axis=0, tried=False):
        by_row: dict[int, list[Cell]] = {}
        for r, c in sorted(leaf):
            by_row.setdefault(r, []).append(Cell(cells[(r, c)], float(c), float(c + 1)))
        group_rows = [CellRow(cs, r, None, float(r), float(r + 1)) for r, cs in by_row.items()]
        x0 = min(c for _, c in leaf)
        x1 = max(c for _, c in leaf) + 1
        page.groups.append(Group(group_rows, x0, group_rows[0].top, x1, group_rows[-1].bottom))
    return page


def _leaves(points: list[tuple[int, int]], axis: int, tried: bool) -> list[list[tuple[int, int]]]:
    """Cells cut into blocks at fully blank rows (``axis`` 0) or columns (1), alternately."""
    if not points:
        return []
    keys = sorted({p[axis] for p in points})
    runs: list[tuple[int, int]] = []
    start = prev = keys[0]
    for k in keys[1:]:
        if k != prev + 1:
            runs.append((start, prev))
            start = k
        prev = k
    runs.append((start, prev))
    if len(runs) == 1:
        return [points] if tried else _leaves(points, 1 - axis, tried=True)
    out: list[list[tuple[int, int]]] = []
    for lo, hi in runs:
        part = [p for p in points if lo <= p[axis] <= hi]
        out += _leaves(part, 1 - axis, tried=False)
    return out


def read_if_blocks(name: str, sheets: list[Sheet]) -> Document | None:
    """The Document of a workbook laid out in blocks, or None when no sheet is (another
    reader's business: the draft in module rows)."""
    pages = [sheet_page(i, title, rows) for i, (title, rows) in enumerate(sheets, start=1)]
    if not any(sniff(g) == BLOCKS for p in pages for g in p.groups):
        return None
    reader = BlocksReader(name)
    for page in pages:
        reader.sheet = page.name
        for item in reading_order(page):
            if isinstance(item, TextLine):
                reader.heading(item)
            else:
                reader.group(item)
    tables = reader.tables()
    assign_table_ids(tables, name)
    if not tables:
        raise SourceError(
            name,
            None,
            "blocs « Ressources » / « SAÉ » reconnus, mais aucun semestre lisible (ligne des "
            "codes de compétences C3.1… attendue sous l'en-tête de chaque bloc)",
        )
    doc = Document(
        source=name,
        layout=XLSX_LAYOUT,
        n_lines=max((rows[-1][0] for _, rows in sheets if rows), default=0),
        tables=tables,
        issues=reader.issues,
    )
    years = {t.year for t in tables if t.year}
    doc.year = years.pop() if len(years) == 1 else None
    doc.title = reader.context.formation_text
    return doc
