"""PDF pages -> tables of cells (with their boxes) and the text lines outside them.

pdfplumber is the reference: ``page.find_tables()`` (ruled tables, the "lines" strategy) gives
every cell's box; a cell covered by a merged neighbour is ``None`` there and is left out of its
row. The characters are then dealt once to the cells and lines (one pass over ``page.chars``,
rows found by bisection): ``Table.extract()`` and ``page.extract_text()`` would each walk all
the characters again per row and per cell.

A cell's text is its characters in reading order along their own direction (header cells are
often rotated by 90°): lines of the cell joined by a space, a space where the gap between two
characters exceeds a fifth of the font size.
"""

from __future__ import annotations

import bisect
import logging
import math
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from butdata.errors import SourceError, reason
from butdata.readers.pdf.cells import BBox, Cell, CellRow, Group, Page, TextLine, clean
from butdata.readers.pdf.errors import (
    LIMITS,
    Limits,
    check_file,
    content_size,
    opening_error,
    page_error,
)

Char = dict[str, Any]


def read_pages(path: Path, source: str, limits: Limits = LIMITS) -> Iterator[tuple[Page, int]]:
    """Each page's content and its count of drawn images, in order; SourceError (French,
    naming the file and the page) for a file that is not a readable PDF or exceeds a bound."""
    import pdfplumber

    start = time.perf_counter()
    size = path.stat().st_size
    with open(path, "rb") as fh:
        head = fh.read(1024)
        fh.seek(max(0, size - 2048))
        tail = fh.read()
    check_file(source, head, tail, size, limits)
    quiet = logging.getLogger("pdfminer")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # its warnings on odd fonts are not the user's business
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:
        quiet.setLevel(level)
        raise opening_error(source, exc) from None
    try:
        try:
            pages = pdf.pages
        except Exception as exc:
            raise opening_error(source, exc) from None
        if len(pages) > limits.max_pages:
            raise SourceError(
                source,
                None,
                f"PDF de {len(pages)} pages : au plus {limits.max_pages} pages sont lues "
                "(des MCC en comptent rarement plus de 40) ; déposez les MCC seules",
            )
        for number, page in enumerate(pages, start=1):
            try:
                yield _read_page(page, number, source, limits), len(page.images)
            except SourceError:
                raise
            except Exception as exc:  # pdfminer on a broken stream: name the page
                raise page_error(
                    source, number, f"page illisible (PDF abîmé : {reason(exc)})"
                ) from None
            finally:
                page.close()  # drop the page's parsed objects: memory stays one page's worth
            if time.perf_counter() - start > limits.seconds:
                raise page_error(
                    source,
                    number,
                    f"lecture interrompue après {limits.seconds:.0f} s : document trop lourd",
                )
    finally:
        pdf.close()
        quiet.setLevel(level)


def _read_page(page: Any, number: int, source: str, limits: Limits) -> Page:
    if content_size(page.page_obj, limits.max_content_bytes) > limits.max_content_bytes:
        raise page_error(
            source,
            number,
            f"contenu de la page démesuré (plus de {limits.max_content_bytes // 1_000_000} Mo "
            "une fois décompressé) : lecture refusée",
        )
    chars = page.chars
    if len(chars) > limits.max_chars:
        raise page_error(
            source,
            number,
            f"{len(chars)} caractères sur la page (au plus {limits.max_chars}) : ce n'est pas "
            "une page de MCC",
        )
    unmapped = sum(1 for ch in chars if ch["text"].startswith("(cid:"))
    if unmapped and unmapped * 2 > len(chars):
        raise page_error(
            source,
            number,
            f"texte illisible ({unmapped} caractères sur {len(chars)} sans correspondance dans "
            "leur police) : enregistrez le PDF à nouveau depuis le tableur (polices incorporées)",
        )
    tables = _tables(page)
    out = Page(number=number, width=float(page.width), unmapped=unmapped)
    cell_chars: list[dict[int, list[Char]]] = [defaultdict(list) for _ in tables]
    outside: list[Char] = []
    indexes = [_index(t) for t in tables]
    for ch in chars:
        if not ch["text"].strip():
            continue  # spaces are read from the gaps between characters
        x = (ch["x0"] + ch["x1"]) / 2
        y = (ch["top"] + ch["bottom"]) / 2
        for t, (bbox, tops, rows) in enumerate(indexes):
            if bbox[0] <= x < bbox[2] and bbox[1] <= y < bbox[3]:
                slot = _slot(tops, rows, x, y)
                if slot is not None:
                    cell_chars[t][slot].append(ch)
                    break
        else:
            outside.append(ch)
    for t, (_, _, rows) in enumerate(indexes):
        group_rows = []
        for row_cells in rows:
            _overflow(row_cells, cell_chars[t])
            cells = [
                Cell(clean(_text(cell_chars[t].get(k, []))), box[0], box[2], box)
                for k, box in row_cells
            ]
            top = min(box[1] for _, box in row_cells)
            bottom = max(box[3] for _, box in row_cells)
            group_rows.append(CellRow(cells, number, number, top, bottom))
        x0, top, x1, bottom = tables[t].bbox
        out.groups.append(Group(group_rows, x0, top, x1, bottom))
    out.lines = _lines(outside, number)
    return out


def _overflow(row_cells: list[tuple[int, BBox]], chars: dict[int, list[Char]]) -> None:
    """Text running over into the next cell (as spreadsheets print a long label over empty
    neighbours, across their borders) goes back to the cell it starts in: the next cell's
    characters continue the line with no more than a word gap, at the border itself (a cell's
    own text starts after its padding)."""
    host: int | None = None  # the cell whose text runs on, if any
    for (ka, box_a), (kb, box_b) in zip(row_cells, row_cells[1:]):
        source = host if host is not None else ka
        a, b = chars.get(source), chars.get(kb)
        host = None
        if not a or not b or not all(_direction(ch) == 0 for ch in a + b):
            continue
        last = max(a, key=lambda ch: ch["x1"])
        first = min(b, key=lambda ch: ch["x0"])
        one_line = all(abs(ch["top"] - first["top"]) < 0.5 * ch["size"] for ch in b)
        at_border = last["x1"] > box_a[2] - 0.3 or first["x0"] < box_b[0] + 0.3
        gap = first["x0"] - last["x1"]
        if one_line and at_border and -0.5 < gap < 0.5 * first["size"]:
            a.extend(b)
            b.clear()
            host = source


def _tables(page: Any) -> list[Any]:
    """The ruled tables of the page, without the frames drawn around other tables (a frame's
    text is the page's text, not a cell's)."""
    tables = [t for t in page.find_tables() if t.rows]
    boxes = [t.bbox for t in tables]

    def contains(a: BBox, b: BBox) -> bool:
        return (
            a != b
            and a[0] <= b[0] + 1
            and a[1] <= b[1] + 1
            and a[2] >= b[2] - 1
            and a[3] >= b[3] - 1
        )

    return [t for t in tables if not any(contains(t.bbox, b) for b in boxes)]


# A table's rows: (bbox, row tops, rows of (cell key, cell box) left to right).
_Index = tuple[BBox, list[float], list[list[tuple[int, BBox]]]]


def _index(table: Any) -> _Index:
    rows: list[list[tuple[int, BBox]]] = []
    key = 0
    for row in table.rows:
        cells: list[tuple[int, BBox]] = []
        for box in row.cells:
            if box is not None:
                x0, top, x1, bottom = (round(float(v), 2) for v in box)
                cells.append((key, (x0, top, x1, bottom)))
                key += 1
        if cells:
            rows.append(cells)
    rows.sort(key=lambda r: min(b[1] for _, b in r))
    tops = [min(b[1] for _, b in r) for r in rows]
    x0, top, x1, bottom = (float(v) for v in table.bbox)
    return (x0, top, x1, bottom), tops, rows


def _slot(tops: list[float], rows: list[list[tuple[int, BBox]]], x: float, y: float) -> int | None:
    """The key of the cell holding point (x, y): its row by bisection, then the cell; a cell
    merged over several rows is found in a row above."""
    r = bisect.bisect_right(tops, y) - 1
    while r >= 0:
        for key, (x0, top, x1, bottom) in rows[r]:
            if x0 <= x < x1 and top <= y < bottom:
                return key
        r -= 1
    return None


def _direction(ch: Char) -> int:
    """Reading direction of a character in quarter turns (0 upright, 1 bottom to top, ...)."""
    a, b = ch["matrix"][0], ch["matrix"][1]
    return round(math.atan2(b, a) / (math.pi / 2)) % 4


def _along(ch: Char, d: int) -> tuple[float, float]:
    """Start and end of a character along its direction (top-down page coordinates)."""
    x0, x1, top, bottom = float(ch["x0"]), float(ch["x1"]), float(ch["top"]), float(ch["bottom"])
    if d == 0:
        return x0, x1
    if d == 1:
        return -bottom, -top
    if d == 2:
        return -x1, -x0
    return top, bottom


def _across(ch: Char, d: int) -> float:
    """Position across the direction: lines of text are ordered by it."""
    x, y = (float(ch["x0"]) + float(ch["x1"])) / 2, (float(ch["top"]) + float(ch["bottom"])) / 2
    return (y, x, -y, -x)[d]


def _text_lines(chars: list[Char]) -> list[list[Char]]:
    """Characters of the dominant direction grouped into lines, each in reading order."""
    if not chars:
        return []
    counts: dict[int, int] = defaultdict(int)
    for ch in chars:
        counts[_direction(ch)] += 1
    d = max(counts, key=lambda k: counts[k])
    mine = sorted((ch for ch in chars if _direction(ch) == d), key=lambda ch: _across(ch, d))
    lines: list[list[Char]] = []
    anchor = None
    for ch in mine:
        pos = _across(ch, d)
        if anchor is None or pos - anchor > 0.5 * ch["size"]:
            lines.append([])
            anchor = pos
        lines[-1].append(ch)
    for line in lines:
        line.sort(key=lambda ch: _along(ch, d)[0])
    return lines


def _join(line: list[Char]) -> str:
    d = _direction(line[0])
    parts: list[str] = []
    end = None
    for ch in line:
        start, stop = _along(ch, d)
        if end is not None and start - end > 0.2 * ch["size"]:
            parts.append(" ")
        parts.append(ch["text"])
        end = stop
    return "".join(parts)


def _text(chars: list[Char]) -> str:
    return " ".join(_join(line) for line in _text_lines(chars))


def _lines(chars: list[Char], page: int) -> list[TextLine]:
    """Upright text outside the tables as lines; a line is cut where a gap wider than twice
    the font size separates two runs (two headings side by side)."""
    out: list[TextLine] = []
    for line in _text_lines([ch for ch in chars if _direction(ch) == 0]):
        runs: list[list[Char]] = [[line[0]]]
        for prev, ch in zip(line, line[1:]):
            if ch["x0"] - prev["x1"] > 2 * ch["size"]:
                runs.append([])
            runs[-1].append(ch)
        for run in runs:
            text = clean(_join(run))
            if text:
                out.append(
                    TextLine(
                        text,
                        page,
                        page,
                        min(c["x0"] for c in run),
                        min(c["top"] for c in run),
                        max(c["x1"] for c in run),
                        max(c["bottom"] for c in run),
                    )
                )
    return out
