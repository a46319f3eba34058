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
values get the sheet row; the sheet name is in the table title's issue. A file imported through
the page (``imported=True``) is attributed to itself: see ``tidy.template.build_document`` and
``ids.namespaced_id``.

Reading is bounded (``butdata.settings``): an XLSX archive is checked from its table of contents
before anything is parsed (total uncompressed size, compression ratio, number of parts: a zip
bomb is refused unread), then streamed by openpyxl in read-only mode with caps on rows, columns
and cells; a CSV has the same caps. A file over a cap is refused with a French message that
names the cap, never read halfway.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path
from typing import Any

from butdata import fmt
from butdata.cellsafe import restore
from butdata.errors import SourceError, reason
from butdata.ids import namespaced_id
from butdata.model import Document
from butdata.readers.xlsx_blocks import read_if_blocks
from butdata.readers.xlsx_draft import SheetRows, read_draft
from butdata.settings import Limits, limits, size_text
from butdata.tidy.columns import RowError, TemplateError, looks_like_template
from butdata.tidy.rows import KnownUEs
from butdata.tidy.template import rows_to_document

TEMPLATE_LAYOUT = "template"
RawRows = list[tuple[int, list[Any]]]
# One sheet as the layout readers see it: (row number, cell values, cell number formats).


def read(path: Path, *, imported: bool = False) -> Document:
    """The store's entry point: a Document, or a SourceError naming the file and row."""
    path = Path(path)
    try:
        return load(path, imported=imported)
    except TemplateError as exc:
        raise SourceError(path.name, exc.errors[0].row if exc.errors else None, str(exc)) from None


def load(
    path: Path,
    name: str | None = None,
    known_ues: KnownUEs | None = None,
    *,
    imported: bool = False,
) -> Document:
    """Like ``read`` but raises TemplateError with every row-level error (for the import page).
    ``name`` is the source name to record (default: the file name); ``known_ues`` the UEs of
    the store per (formation, semester), to report a UE the store does not know; ``imported``:
    the file came through the import page (values attributed to it, ids qualified by it)."""
    path = Path(path)
    name = name or path.name
    caps = limits()
    size = path.stat().st_size
    if size > caps.max_file_bytes:
        raise SourceError(
            name,
            None,
            f"fichier trop gros ({size_text(size)} ; plafond {size_text(caps.max_file_bytes)})",
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        lines, n_lines, delimiter = _csv_rows(path.read_bytes(), name, caps)
        doc = _tidy(name, lines, n_lines, known_ues, imported, delimiter)
    elif suffix == ".xlsx":
        doc = _xlsx(path, name, known_ues, imported, caps)
    else:
        raise SourceError(name, None, "format non reconnu (CSV ou XLSX attendu)")
    if imported:
        _qualify_ids(doc, name)
    return doc


def _qualify_ids(doc: Document, name: str) -> None:
    """Every table id of an imported file qualified by the file's name (``ids.namespaced_id``);
    two ids that become one are an error of the file."""
    seen: dict[str, int] = {}
    errors = []
    for table in doc.tables:
        table.table_id = namespaced_id(name, table.table_id or "")
        if table.table_id in seen:
            errors.append(
                RowError(
                    table.line,
                    "table_id",
                    f"identifiant {table.table_id} déjà donné au tableau de la ligne "
                    f"{seen[table.table_id]}",
                )
            )
        seen.setdefault(table.table_id, table.line)
    if errors:
        raise TemplateError(errors)


def _tidy(
    name: str,
    rows: RawRows,
    n_lines: int,
    known_ues: KnownUEs | None,
    imported: bool,
    delimiter: str | None = None,
) -> Document:
    """Header = first non-blank row. ``delimiter``: a CSV, whose rows wider than the header
    are errors."""
    for i, (row_no, cells) in enumerate(rows):
        if any(c not in (None, "") for c in cells):
            data = rows[i + 1 :]
            shifted = width_errors(cells, data, delimiter) if delimiter else []
            if shifted:  # a shifted row is reported once, not again for each moved cell
                bad = {e.row for e in shifted}
                data = [r for r in data if r[0] not in bad]
            try:
                doc = rows_to_document(
                    name,
                    TEMPLATE_LAYOUT,
                    n_lines,
                    cells,
                    data,
                    row_no,
                    known_ues,
                    imported=imported,
                )
            except TemplateError as exc:
                raise TemplateError(sorted(exc.errors + shifted, key=lambda e: e.row)) from None
            if shifted:
                raise TemplateError(shifted)
            return doc
    raise SourceError(name, None, "fichier vide")


def width_errors(headers: list[Any], rows: RawRows, delimiter: str) -> list[RowError]:
    """CSV rows with filled cells beyond the header: the row is shifted, most often by a decimal
    comma left unquoted in a ``,`` file (``1,5`` read as ``1`` then ``5``): an error, never a
    value read from the wrong column."""
    width = len(headers)
    while width and not str(headers[width - 1] or "").strip():
        width -= 1
    hint = (
        " : une virgule décimale sans guillemets (1,5) décale la ligne ; écrivez 1.5, mettez la "
        "valeur entre guillemets ou enregistrez le fichier avec le séparateur « ; »"
        if delimiter == ","
        else ""
    )
    return [
        RowError(row_no, None, f"{len(cells)} cellules pour {width} colonnes d'en-tête{hint}")
        for row_no, cells in rows
        if any(str(c or "").strip() for c in cells[width:])
    ]


# -- CSV -------------------------------------------------------------------------------------


def decode_csv(data: bytes, name: str) -> str:
    """The text of a CSV: UTF-16 or UTF-8 with a byte order mark, else UTF-8, else
    Windows-1252 (as written by Excel)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count("\n".encode("utf-16-le")) + 1
            raise SourceError(name, line, "encodage UTF-16 invalide") from None
    if b"\x00" in data:
        raise SourceError(
            name,
            None,
            "fichier binaire ou texte UTF-16 sans marque d'ordre : un CSV est attendu "
            "(dans Excel : « Enregistrer sous » > « CSV UTF-8 »)",
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _csv_rows(data: bytes, name: str, caps: Limits | None = None) -> tuple[RawRows, int, str]:
    """Rows with the line each starts on, the number of lines and the separator (``,`` ``;``
    or tab, read from the header line). Cells neutralised against formulas by our exports are
    restored (``cellsafe.restore``)."""
    caps = caps or limits()
    text = decode_csv(data, name)
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: RawRows = []
    start = 1
    cells = 0
    try:
        for raw in reader:
            if len(rows) >= caps.max_rows:
                raise SourceError(name, start, _too_many("lignes", caps.max_rows))
            if len(raw) > caps.max_columns:
                raise SourceError(name, start, _too_many("colonnes", caps.max_columns))
            cells += sum(bool(c) for c in raw)
            if cells > caps.max_cells:
                raise SourceError(name, start, _too_many("cellules", caps.max_cells))
            rows.append((start, [restore(c) for c in raw]))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(name, start, f"CSV illisible ({exc})") from None
    return rows, reader.line_num, delimiter


def _too_many(what: str, cap: int) -> str:
    return (
        f"plus de {fmt.integer(cap)} {what} : fichier refusé sans être lu en entier "
        f"(plafond réglable, voir README « Plafonds »)"
    )


# -- XLSX ------------------------------------------------------------------------------------


def check_archive(path: Path, name: str, caps: Limits | None = None) -> None:
    """Refuse a zip bomb from the archive's table of contents, before anything is unpacked."""
    caps = caps or limits()
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise SourceError(name, None, f"classeur XLSX illisible : {reason(exc)}") from None
    if len(members) > caps.max_zip_members:
        raise SourceError(
            name, None, f"classeur de {len(members)} parties (plafond {caps.max_zip_members})"
        )
    total = sum(m.file_size for m in members)
    if total > caps.max_unzipped_bytes:
        raise SourceError(
            name,
            None,
            f"classeur de {size_text(total)} une fois décompressé (plafond "
            f"{size_text(caps.max_unzipped_bytes)}) : refusé sans être ouvert",
        )
    for m in members:
        if m.file_size > 2**20 and m.file_size > caps.max_zip_ratio * max(m.compress_size, 1):
            raise SourceError(
                name,
                None,
                f"partie « {m.filename} » compressée {m.file_size // max(m.compress_size, 1)} "
                f"fois (plafond {caps.max_zip_ratio}) : archive piégée probable, refusée sans "
                "être ouverte",
            )


def _xlsx(
    path: Path, name: str, known_ues: KnownUEs | None, imported: bool, caps: Limits
) -> Document:
    import openpyxl

    check_archive(path, name, caps)
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # not a zip, not a workbook: say so, never a traceback
        raise SourceError(name, None, f"classeur XLSX illisible : {reason(exc)}") from None
    try:
        sheets: list[tuple[str, SheetRows]] = []
        budget = [caps.max_cells]
        for sheet in workbook.worksheets:
            rows = _sheet_rows(sheet, name, caps, budget)
            # A template sheet is read alone: the wide sheets of an export are not needed.
            for row_no, cells, _ in rows[:10]:
                if looks_like_template(cells):
                    i = next(i for i, r in enumerate(rows) if r[0] == row_no)
                    data = [(r, c) for r, c, _ in rows[i + 1 :]]
                    n = rows[-1][0] if rows else 0
                    return rows_to_document(
                        name, TEMPLATE_LAYOUT, n, cells, data, row_no, known_ues, imported=imported
                    )
            sheets.append((sheet.title, rows))
    except (SourceError, TemplateError):
        raise
    except Exception as exc:  # a damaged part inside a valid archive
        raise SourceError(name, None, f"classeur XLSX illisible : {reason(exc)}") from None
    finally:
        workbook.close()
    return read_if_blocks(name, sheets) or read_draft(name, sheets)


def _sheet_rows(sheet: Any, name: str, caps: Limits, budget: list[int]) -> SheetRows:
    """The non-empty rows of one sheet, streamed, trailing empty cells dropped. ``budget``: the
    cells still allowed over the whole workbook. The sheet's declared size is not trusted
    (absent, or far beyond the data when whole columns are formatted): reading stops one row and
    one column past the caps, and a value found there refuses the file."""
    rows: SheetRows = []
    width = caps.max_columns + 1  # one more than allowed, to see a row that goes beyond
    for cells in sheet.iter_rows(max_row=caps.max_rows + 1, max_col=width):
        values = [c.value for c in cells]
        while values and values[-1] in (None, ""):
            values.pop()
        if not values:
            continue
        row_no = next(c.row for c in cells if getattr(c, "row", None))
        if row_no > caps.max_rows:
            raise SourceError(
                name, row_no, f"feuille « {sheet.title} » : " + _too_many("lignes", caps.max_rows)
            )
        if len(values) > caps.max_columns:
            raise SourceError(
                name,
                row_no,
                f"feuille « {sheet.title} » : " + _too_many("colonnes", caps.max_columns),
            )
        budget[0] -= sum(v not in (None, "") for v in values)  # what openpyxl had to parse
        if budget[0] < 0:
            raise SourceError(name, row_no, _too_many("cellules", caps.max_cells))
        # Number formats only for numbers (a draft's printed decimals): they cost a lookup each.
        formats = [
            getattr(c, "number_format", None) if isinstance(v, (int, float)) else None
            for c, v in zip(cells, values)
        ]
        rows.append((row_no, values, formats))
    return rows
