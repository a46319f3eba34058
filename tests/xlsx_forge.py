"""Hand-made XLSX archives for the upload tests and benchmarks: the smallest parts openpyxl
reads, a sheet of any number of rows written as a stream (no workbook library), and the knobs
a hostile file plays with (no cell references, no or a lying dimension, compression)."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
PKG = "http://schemas.openxmlformats.org/package/2006"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEETML = "application/vnd.openxmlformats-officedocument.spreadsheetml"
CONTENT_TYPES = (
    f'{XML}<Types xmlns="{PKG}/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{SHEETML}.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    f'ContentType="{SHEETML}.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'{XML}<Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'{XML}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    f'xmlns:r="{OFFICE}">'
    '<sheets><sheet name="Modèle" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'{XML}<Relationships xmlns="{PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{OFFICE}/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _cell(value: object, ref: str | None) -> str:
    r = f' r="{ref}"' if ref else ""
    if isinstance(value, (int, float)):
        return f"<c{r}><v>{value}</v></c>"
    return f'<c{r} t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def write_xlsx(
    path: Path,
    rows: Iterable[Sequence[object]],
    *,
    refs: bool = True,
    dimension: str | None = None,
    compresslevel: int = 6,
) -> Path:
    """One sheet « Modèle » with ``rows`` (strings as inline strings, numbers as numbers).
    ``refs=False`` drops the cell and row references (allowed by the format, and what makes
    a million identical rows compress to almost nothing)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            head = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            )
            if dimension:
                head += f'<dimension ref="{dimension}"/>'
            sheet.write((head + "<sheetData>").encode())
            buffer = []
            for n, row in enumerate(rows, start=1):
                cells = "".join(
                    _cell(v, f"{_col(j)}{n}" if refs else None) for j, v in enumerate(row)
                )
                buffer.append(f'<row r="{n}">{cells}</row>' if refs else f"<row>{cells}</row>")
                if len(buffer) >= 5000:
                    sheet.write("".join(buffer).encode())
                    buffer.clear()
            sheet.write(("".join(buffer) + "</sheetData></worksheet>").encode())
    return path


HEADER = ["formation", "semester", "ue", "module_code", "coefficient"]


def hostile_rows(n: int) -> Iterable[Sequence[object]]:
    """The template header, then ``n`` copies of one value row (the probe's 300k-row file)."""
    yield HEADER
    for _ in range(n):
        yield ["QLIO", 1, "UE11", "R1.01", 1]
