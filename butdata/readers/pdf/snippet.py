"""« Voir la source »: the region of a PDF page around one cell, as a PNG, the cell framed.

A pure function of the file, the page and the cell's box (``coefficients.source_page`` and
``cell_x0`` … ``cell_bottom`` in the store): the pages call it to show where a value is printed.
"""

from __future__ import annotations

import io
from pathlib import Path

from butdata.errors import SourceError
from butdata.readers.pdf.cells import BBox

HIGHLIGHT = (220, 38, 38)  # red: the cell
RESOLUTION = 144  # dots per inch: a cell's text stays legible when projected


def cell_image(
    pdf_path: Path,
    page: int,
    bbox: BBox,
    margin: float = 60.0,
    resolution: int = RESOLUTION,
) -> bytes:
    """PNG bytes of page ``page`` (1-based) around ``bbox`` (x0, top, x1, bottom in PDF
    points), ``margin`` points of context on each side, the cell outlined in red."""
    import pdfplumber
    from PIL import ImageDraw

    path = Path(pdf_path)
    try:
        pdf = pdfplumber.open(path)
    except Exception:
        raise SourceError(path.name, None, "PDF illisible : extrait impossible") from None
    with pdf:
        if not 1 <= page <= len(pdf.pages):
            raise SourceError(
                path.name, None, f"page {page} absente (le PDF en a {len(pdf.pages)})"
            )
        p = pdf.pages[page - 1]
        x0, top, x1, bottom = bbox
        region = (
            max(float(p.bbox[0]), x0 - margin),
            max(float(p.bbox[1]), top - margin),
            min(float(p.bbox[2]), x1 + margin),
            min(float(p.bbox[3]), bottom + margin),
        )
        if region[0] >= region[2] or region[1] >= region[3]:
            raise SourceError(path.name, None, f"page {page} : cellule hors de la page")
        image = p.crop(region).to_image(resolution=resolution).original.convert("RGB")
        scale = resolution / 72
        draw = ImageDraw.Draw(image)
        box = (
            (x0 - region[0]) * scale,
            (top - region[1]) * scale,
            (x1 - region[0]) * scale,
            (bottom - region[1]) * scale,
        )
        draw.rectangle(box, outline=HIGHLIGHT, width=max(2, round(scale * 1.5)))
        out = io.BytesIO()
        image.save(out, format="PNG")
        p.close()
        return out.getvalue()
