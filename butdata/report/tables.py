"""A polars frame as reportlab tables that never lose a column.

For the columns to print, at each font size from `BASE_SIZE` down to `FLOOR_SIZE`:
1. every column at its natural width (capped at `MAX_WIDTH`, longer text wraps) fits → done;
2. else every column at the width of its longest word (headers wrap word by word) fits →
   the spare width goes to the columns that wrap the most → done;
3. else try a smaller font.
Nothing fits at the floor → the columns are split into parts printed one under the other,
each repeating the key (leading) columns, each titled « partie 2/3 (colonnes 9 à 16 sur 20) ».

Header row repeated on each page (``repeatRows``); a cell whose text is wider than its column is
a wrapping paragraph, other cells plain strings (5-10× cheaper to lay out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import polars as pl
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Table, TableStyle
from reportlab.platypus import Paragraph as RLParagraph

from butdata import fmt
from butdata.report.document import TableBlock
from butdata.report.fonts import FontSet

BASE_SIZE = 8.5
FLOOR_SIZE = 6.0
SIZE_STEP = 0.5
PAD = 3.0  # left and right padding of a cell
MAX_WIDTH = 190.0  # a column never grows past this: longer text wraps
WORD_CAP = 72.0  # a word longer than this is broken (reportlab splits long words)
MAX_ROWS = 5000  # printed rows of one table; past this, a note says how many are left out
MAX_CELL_CHARS = 20_000  # a longer cell text is cut with « … » (rows may still run over pages)
ORPHAN_ROWS = 3  # body rows that must fit under the header where a table starts
EMPTY = "aucune ligne"
MAX_START = 150.0  # …unless they are taller than this (a huge first row): then no page break
HEADER_BG = colors.HexColor("#e3e9f1")
STRIPE_BG = colors.HexColor("#f6f8fa")
HIGHLIGHT_BG = colors.HexColor("#ffe28a")
GRID = colors.HexColor("#9aa5b1")
HEADER_RULE = colors.HexColor("#4a5a6a")


@dataclass
class _Column:
    header: str
    cells: list[str]
    numeric: bool
    word: float  # widest word (header in bold, cells in regular) at 1 pt
    natural: float  # widest full text at 1 pt


@dataclass
class _Fit:
    size: float
    widths: list[float]


def _is_numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric() or isinstance(dtype, pl.Decimal)


def _measure(header: str, cells: list[str], numeric: bool, fonts: FontSet) -> _Column:
    def widest(texts: Sequence[str], font: str) -> tuple[float, float]:
        word = natural = 0.0
        for text in set(texts):
            for line in text.split("\n"):
                natural = max(natural, stringWidth(line, font, 1.0))
                for w in line.split():
                    word = max(word, stringWidth(w, font, 1.0))
        return word, natural

    hw, hn = widest([header], fonts.bold)
    cw, cn = widest(cells, fonts.regular)
    return _Column(header, cells, numeric, max(hw, cw), max(hn, cn))


def _columns(block: TableBlock, fonts: FontSet, rows: int) -> list[_Column]:
    out: list[_Column] = []
    for name in block.frame.columns:
        series = block.frame.get_column(name).head(rows)
        percent = name in block.percent
        decimals = block.decimals.get(name)
        cells = [
            fonts.printable(
                _cut(fmt.cell(v, digits=decimals, percent_=percent, missing=block.placeholder))
            )
            for v in series.to_list()
        ]
        shown = cells or ([EMPTY] if not out else [])  # an empty table says so in its 1st column
        out.append(_measure(fonts.printable(name), shown, _is_numeric(series.dtype), fonts))
        out[-1].cells = cells
    return out


def _cut(text: str) -> str:
    return text if len(text) <= MAX_CELL_CHARS else text[: MAX_CELL_CHARS - 1] + "…"


def _sizes() -> list[float]:
    n = round((BASE_SIZE - FLOOR_SIZE) / SIZE_STEP)
    return [BASE_SIZE - i * SIZE_STEP for i in range(n + 1)]


def _min_width(col: _Column, size: float) -> float:
    return min(col.word * size, WORD_CAP) + 2 * PAD + 0.5


def _full_width(col: _Column, size: float) -> float:
    return max(col.natural * size + 2 * PAD + 0.5, _min_width(col, size))


def _natural_width(col: _Column, size: float) -> float:
    return max(min(_full_width(col, size), MAX_WIDTH), _min_width(col, size))


def _share(widths: list[float], targets: list[float], width: float) -> list[float]:
    """``widths`` grown towards ``targets`` in proportion to what each lacks, using at most
    the spare of ``width``."""
    spare = width - sum(widths)
    wants = [max(0.0, t - w) for w, t in zip(widths, targets, strict=True)]
    if spare <= 0 or not sum(wants):
        return widths
    k = min(1.0, spare / sum(wants))
    return [w + k * want for w, want in zip(widths, wants, strict=True)]


def fit(columns: Sequence[_Column], width: float) -> _Fit | None:
    """The largest font size and column widths at which ``columns`` fit in ``width``; spare
    width then goes to the columns that wrap (a long-text column grows past `MAX_WIDTH`)."""
    for size in _sizes():
        natural = [_natural_width(c, size) for c in columns]
        minimal = [_min_width(c, size) for c in columns]
        if sum(natural) <= width:
            widths = natural
        elif sum(minimal) <= width:
            widths = _share(minimal, natural, width)
        else:
            continue
        return _Fit(size, _share(widths, [_full_width(c, size) for c in columns], width))
    return None


def split_columns(columns: Sequence[_Column], keys: int, width: float) -> list[list[int]]:
    """Column indices of each part: the ``keys`` first columns, then as many others as fit
    unwrapped at the floor size, balanced between the parts. Keys are dropped (from the
    right) when they take over half the width."""
    wide = [_natural_width(c, FLOOR_SIZE) for c in columns]
    keys = min(keys, len(columns) - 1)
    while keys and sum(wide[:keys]) > width / 2:
        keys -= 1
    room = width - sum(wide[:keys])
    others = list(range(keys, len(columns)))
    greedy = _pack(others, wide, room, room)
    balanced = _pack(others, wide, room, sum(wide[i] for i in others) / len(greedy))
    parts = balanced if len(balanced) == len(greedy) else greedy
    return [list(range(keys)) + part for part in parts]


def _pack(indices: list[int], widths: list[float], room: float, target: float) -> list[list[int]]:
    """Consecutive groups of ``indices``, each within ``room``; a group is closed when the
    next column would be mostly past ``target``."""
    parts: list[list[int]] = [[]]
    used = 0.0
    for i in indices:
        if parts[-1] and (used + widths[i] > room or used + widths[i] / 2 > target):
            parts.append([])
            used = 0.0
        parts[-1].append(i)
        used += widths[i]
    return parts


def _styles(fonts: FontSet, size: float) -> dict[str, ParagraphStyle]:
    left = ParagraphStyle(
        "cell",
        fontName=fonts.regular,
        fontSize=size,
        leading=round(size * 1.2, 2),
        alignment=TA_LEFT,
        splitLongWords=True,
    )
    head = ParagraphStyle("head", parent=left, fontName=fonts.bold)
    return {
        "left": left,
        "right": ParagraphStyle("cell-num", parent=left, alignment=TA_RIGHT),
        "head": head,
        "head-right": ParagraphStyle("head-num", parent=head, alignment=TA_RIGHT),
    }


def _para(text: str, style: ParagraphStyle) -> RLParagraph:
    return RLParagraph(escape(text).replace("\n", "<br/>"), style)


def _table(
    block: TableBlock, columns: list[_Column], idx: list[int], layout: _Fit, fonts: FontSet
) -> tuple[Table, float]:
    """The table of columns ``idx`` (its header row repeated on every page it runs over) and
    the height of its header and first rows."""
    styles = _styles(fonts, layout.size)
    header: list[str | RLParagraph] = [
        _para(columns[i].header, styles["head-right" if columns[i].numeric else "head"])
        for i in idx
    ]
    n_rows = len(columns[idx[0]].cells)
    body: list[list[str | RLParagraph]] = []
    for r in range(n_rows):
        row: list[str | RLParagraph] = []
        for i, w in zip(idx, layout.widths, strict=True):
            text = columns[i].cells[r]
            fits = "\n" not in text and stringWidth(text, fonts.regular, layout.size) <= w - 2 * PAD
            row.append(
                text if fits else _para(text, styles["right" if columns[i].numeric else "left"])
            )
        body.append(row)
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), fonts.regular, layout.size, round(layout.size * 1.2, 2)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), PAD),
        ("RIGHTPADDING", (0, 0), (-1, -1), PAD),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("GRID", (0, 0), (-1, -1), 0.25, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, HEADER_RULE),
    ]
    if n_rows:
        style.append(("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, STRIPE_BG]))
    else:
        body = [[_para(EMPTY, styles["left"])] + [""] * (len(idx) - 1)]
        style.append(("SPAN", (0, 1), (-1, 1)))
    for k, i in enumerate(idx):
        if columns[i].numeric:
            style.append(("ALIGN", (k, 1), (k, -1), "RIGHT"))
    start = Table([header, *body[:ORPHAN_ROWS]], colWidths=layout.widths, style=TableStyle(style))
    start_height = start.wrap(sum(layout.widths), 10_000)[1]
    position = {block.frame.columns[i]: k for k, i in enumerate(idx)}
    for r, name in block.highlight:
        if name in position and 0 <= r < n_rows:
            cell = (position[name], r + 1)
            style.append(("BACKGROUND", cell, cell, HIGHLIGHT_BG))
    table = Table(
        [header, *body],
        colWidths=layout.widths,
        repeatRows=1,
        splitInRow=1,
        hAlign="LEFT",
        style=TableStyle(style),
    )
    return table, start_height


def _start(caption: RLParagraph | None, table_start: float, width: float) -> CondPageBreak:
    """A page break unless the caption, the header and the first rows fit where the table
    starts (no title or header alone at the bottom of a page)."""
    height = table_start
    if caption is not None:
        height += (
            caption.wrap(width, 10_000)[1] + caption.style.spaceBefore + caption.style.spaceAfter
        )
    return CondPageBreak(min(height, MAX_START))


def table_flowables(
    block: TableBlock, fonts: FontSet, width: float, caption: ParagraphStyle, note: ParagraphStyle
) -> list[Flowable]:
    """The block's table (several when its columns are split), titled, and its notes."""
    frame = block.frame
    title = fonts.printable(block.title or "")
    if frame.width == 0:
        return [*([_para(title, caption)] if title else []), _para("tableau sans colonne", note)]
    rows = min(frame.height, MAX_ROWS)
    columns = _columns(block, fonts, rows)
    whole = fit(columns, width)
    parts = (
        [list(range(len(columns)))] if whole else split_columns(columns, block.key_columns, width)
    )
    shared = sorted(set(parts[0]).intersection(*parts[1:])) if len(parts) > 1 else []
    out: list[Flowable] = []
    for n, idx in enumerate(parts, 1):
        layout = whole or fit([columns[i] for i in idx], width)
        if layout is None:  # cannot happen: a part is packed to fit at the floor size
            raise AssertionError("a table part wider than the page")
        label = title
        if len(parts) > 1:
            first = idx[0] if n == 1 else min(i for i in idx if i not in shared)
            label = (
                f"partie {n}/{len(parts)} (colonnes {first + 1} à {idx[-1] + 1} sur {len(columns)})"
            )
            label = f"{title} — {label}" if title else label.capitalize()
        table, table_start = _table(block, columns, idx, layout, fonts)
        head = _para(label, caption) if label else None
        out += [_start(head, table_start, width), *([head] if head else []), table]
    notes = []
    if len(parts) > 1:
        keys = ", ".join(columns[i].header for i in shared)
        notes.append(
            f"Tableau trop large pour une page : ses {len(columns)} colonnes sont "
            f"imprimées en {len(parts)} parties"
            + (f", « {keys} » répété dans chacune." if keys else ".")
        )
    if frame.height > rows:
        notes.append(
            f"{fmt.integer(rows)} premières lignes sur {fmt.integer(frame.height)} "
            "(le tableau complet : téléchargement CSV ou XLSX de la page)."
        )
    if block.note:
        notes.append(fonts.printable(block.note))
    out.extend(_para(text, note) for text in notes)
    return out
