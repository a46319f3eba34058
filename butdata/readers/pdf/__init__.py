"""Reader for MCC PDFs as departments publish them: ruled tables in one of three layouts.

- (a) module rows, UE columns (the QLIO layout): ``modules_layout``;
- (b) blocks of module rows per competence, one page per semester: ``blocks_layout`` (the
  reading, with ``headings``) and ``blocks_tables`` (semesters into checked tables), shared
  with spreadsheets (``butdata.readers.xlsx_blocks``);
- (c) the ORéBUT grid, UE rows, module columns: ``grid_layout``.

``extract`` turns pages into rows of cells with their boxes (pdfplumber; ``cells`` holds the
rows and the reading order, free of pdfplumber), ``sniff`` tells a table's layout from its
rows, ``document`` routes the tables and assembles the Document, ``errors`` says why a PDF
cannot be read (and bounds the time and memory spent on one), ``snippet`` renders the region
of a cell (« voir la source »). A PDF value's ``line`` is its page; its cell is in
``Coefficient.page``, ``row_label``, ``column_label`` and ``bbox``.
"""

from __future__ import annotations

from pathlib import Path

from butdata.model import Document

PDF_SUFFIXES = {".pdf"}


def read(path: Path) -> Document:
    """The Document of an MCC PDF, or a SourceError (French, naming the file and page)."""
    from butdata.readers.pdf.document import read_pdf

    return read_pdf(Path(path))
