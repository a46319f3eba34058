"""Reader for spreadsheet sources: the tidy template (CSV or XLSX) and MCC drafts in XLSX.

Which one a file is, is read from its content, not its name:

- a CSV, or an XLSX sheet whose header row names template columns (``coefficient``, ``ue``…,
  machine names or French labels): the tidy template (``butdata.tidy.template``);
- otherwise an XLSX laid out like the clean QLIO document, as departments draft their MCC:
  one sheet per table, a title cell ``Semestre 3 BUT QLIO [variant]``, a header row with the
  UE codes as columns (``UE31`` or ``UE31 - name``), one module per row (code, name, semester
  coefficient, one coefficient per UE), then ``Total des coefficients`` and ``Crédits ECTS``.

Provenance: a template row keeps its ``source`` / ``source_line`` (the original document, for a
round trip) or, when empty, gets the template file and its line (CSV) or row (XLSX). Draft
values get the sheet row; the sheet name is in the table title's issue.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from butdata.errors import SourceError
from butdata.model import Document
from butdata.readers.xlsx_blocks import read_if_blocks
from butdata.readers.xlsx_draft import read_draft
from butdata.tidy.template import KnownUEs, TemplateError, looks_like_template, rows_to_document

TEMPLATE_LAYOUT = "template"
RawRows = list[tuple[int, list[Any]]]


def read(path: Path) -> Document:
    """The store's entry point: a Document, or a SourceError naming the file and row."""
    path = Path(path)
    try:
        return load(path)
    except TemplateError as exc:
        raise SourceError(path.name, exc.errors[0].row if exc.errors else None, str(exc)) from None


def load(path: Path, name: str | None = None, known_ues: KnownUEs | None = None) -> Document:
    """Like ``read`` but raises TemplateError with every row-level error (for the import page).
    ``name`` is the source name to record (default: the file name); ``known_ues`` the UEs of
    the store per (formation, semester), to report a UE the store does not know."""
    path = Path(path)
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix == ".csv":
        lines, n_lines = _csv_rows(path.read_bytes(), name)
        return _tidy(name, lines, n_lines, known_ues)
    if suffix == ".xlsx":
        return _xlsx(path, name, known_ues)
    raise SourceError(name, None, "format non reconnu (CSV ou XLSX attendu)")


def _tidy(name: str, rows: RawRows, n_lines: int, known_ues: KnownUEs | None) -> Document:
    """Header = first non-blank row."""
    for i, (row_no, cells) in enumerate(rows):
        if any(c not in (None, "") for c in cells):
            return rows_to_document(
                name, TEMPLATE_LAYOUT, n_lines, cells, rows[i + 1 :], row_no, known_ues
            )
    raise SourceError(name, None, "fichier vide")


# -- CSV -------------------------------------------------------------------------------------


def _csv_rows(data: bytes, name: str) -> tuple[RawRows, int]:
    """Rows with the line each starts on. UTF-8 (with or without BOM), else Windows-1252 as
    written by Excel; separator ``,`` ``;`` or tab, read from the header line."""
    if b"\x00" in data:
        raise SourceError(name, None, "fichier binaire : un CSV (texte) est attendu")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: RawRows = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(name, start, f"CSV illisible ({exc})") from None
    return rows, reader.line_num


# -- XLSX ------------------------------------------------------------------------------------


def _xlsx(path: Path, name: str, known_ues: KnownUEs | None) -> Document:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, data_only=True)
    except Exception as exc:  # not a zip, not a workbook: say so, never a traceback
        raise SourceError(name, None, f"classeur XLSX illisible ({type(exc).__name__})") from None
    sheets = []
    for sheet in workbook.worksheets:
        rows = [
            (cells[0].row, [c.value for c in cells], [c.number_format for c in cells])
            for cells in sheet.iter_rows()
            if cells
        ]
        sheets.append((sheet.title, rows))
    for _title, rows in sheets:
        for row_no, cells, _ in rows[:10]:
            if looks_like_template(cells):
                i = next(i for i, r in enumerate(rows) if r[0] == row_no)
                data = [(r, c) for r, c, _ in rows[i + 1 :]]
                n = rows[-1][0] if rows else 0
                return rows_to_document(name, TEMPLATE_LAYOUT, n, cells, data, row_no, known_ues)
    return read_if_blocks(name, sheets) or read_draft(name, sheets)
