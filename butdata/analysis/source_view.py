"""« Voir la source »: the lines of a source document around a stored value, with the printed
token of that value located exactly (layout by layout), so a committee can check a number
against its document without leaving the dashboard."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from butdata.errors import ButdataError, SourceError
from butdata.readers import read_text_lines

_TOKEN = re.compile(r"\S+")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")


@dataclass(frozen=True)
class Excerpt:
    """``lines``: (line number, text) around ``line``; ``span``: (start, end) of the value's
    printed token in the text of ``line`` (None when it cannot be located)."""

    source: str
    line: int
    lines: tuple[tuple[int, str], ...]
    span: tuple[int, int] | None
    note: str | None = None


def _numeric_tokens(text: str) -> list[re.Match[str]]:
    """The numbers of a line, left to right (no-break spaces are separators too)."""
    return [m for m in _TOKEN.finditer(text.replace("\u00a0", " ")) if _NUMBER.match(m.group())]


def locate(
    text: str,
    printed: str | None,
    layout: str | None,
    position: int | None,
    ue_ord: int | None = None,
    n_ue: int | None = None,
) -> tuple[int, int] | None:
    """Where the value printed ``printed`` is in ``text``: on a module line (layout
    ``modules``) the UE values are the last ``n_ue`` numbers, in UE order (``ue_ord``, 0-based);
    on a UE row of a grid (``grid``) the value is the ``position``-th number of the row; else the
    only token equal to ``printed``."""
    numbers = _numeric_tokens(text)
    pick: re.Match[str] | None = None
    if layout == "modules" and ue_ord is not None and n_ue and len(numbers) >= n_ue:
        pick = numbers[len(numbers) - n_ue + ue_ord]
    elif layout == "grid" and position is not None and 0 < position <= len(numbers):
        pick = numbers[position - 1]
    else:
        same = [m for m in numbers if printed is not None and m.group() == printed]
        pick = same[0] if len(same) == 1 else None
    if pick is None or (printed is not None and pick.group() != printed):
        return None
    return pick.start(), pick.end()


def _lines_of(path: Path) -> tuple[str, ...]:
    """:func:`_read_lines`, kept while the file is unchanged (a page shows many excerpts of one
    document on every run)."""
    stat = path.stat()
    return _cached_lines(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _cached_lines(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    del mtime_ns, size  # part of the key only
    return tuple(_read_lines(Path(path)))


def _read_lines(path: Path) -> list[str]:
    """A document's lines as the readers number them (text and CSV lines; an XLSX sheet's rows
    as « cell | cell »)."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            rows = next(iter(book.worksheets)).iter_rows(values_only=True)
            return [" | ".join("" if v is None else str(v) for v in row) for row in rows]
        finally:
            book.close()
    if suffix == ".csv":  # physical lines: the template reader numbers records by their line
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        return [line.rstrip("\r") for line in text.split("\n")]
    return read_text_lines(path)


def pdf_cell(
    sources_dir: Path, source: str, page: int, bbox: tuple[float, float, float, float]
) -> bytes:
    """The PNG of a stored PDF value's page region, its cell framed (``snippet.cell_image``),
    kept while the file is unchanged. ButdataError (French) when the document is missing."""
    path = _source_path(sources_dir, source)
    stat = path.stat()
    return _cached_cell(str(path), stat.st_mtime_ns, stat.st_size, page, bbox)


@lru_cache(maxsize=64)
def _cached_cell(
    path: str, mtime_ns: int, size: int, page: int, bbox: tuple[float, float, float, float]
) -> bytes:
    from butdata.readers.pdf.snippet import cell_image

    del mtime_ns, size  # part of the key only
    try:
        return cell_image(Path(path), page, bbox)
    except SourceError as exc:
        raise ButdataError(f"extrait impossible : {exc}") from None


def _source_path(sources_dir: Path, source: str) -> Path:
    path = Path(sources_dir) / source
    if Path(source).name != source or not path.is_file():
        raise ButdataError(f"document « {source} » introuvable dans {sources_dir}")
    return path


def excerpt(
    sources_dir: Path,
    source: str,
    line: int,
    printed: str | None = None,
    *,
    layout: str | None = None,
    position: int | None = None,
    ue_ord: int | None = None,
    n_ue: int | None = None,
    context: int = 2,
) -> Excerpt:
    """The lines ``line - context`` … ``line + context`` of ``source`` with the value located.
    Raises ButdataError (French) when the document is not in the sources directory."""
    path = _source_path(sources_dir, source)
    if path.suffix.lower() == ".pdf":
        raise ButdataError("document PDF : la source s'affiche comme une image de la page")
    try:
        lines = _lines_of(path)
    except SourceError as exc:
        raise ButdataError(f"document illisible : {exc}") from None
    if not 1 <= line <= len(lines):
        raise ButdataError(f"{source} : ligne {line} absente (le document a {len(lines)} lignes)")
    first, last = max(1, line - context), min(len(lines), line + context)
    around = tuple((n, lines[n - 1]) for n in range(first, last + 1))
    span = locate(lines[line - 1], printed, layout, position, ue_ord, n_ue)
    note = None
    if printed is not None and span is None:
        note = f"valeur « {printed} » non localisée sur la ligne : la ligne entière est montrée"
    return Excerpt(source, line, around, span, note)
