"""Measurements behind the choices of `butdata.report` (not used by the app).

``python -m butdata.report.bench``: the engine on the reference document (3 pages: two tables,
two figures): PDF layout alone, figures through Chromium (first / next), the whole.

``python -m butdata.report.bench --libraries``: the same content (two tables, two PNG figures,
a DejaVu TTF) written with reportlab, fpdf2 and weasyprint, each imported only if installed
(``pip install fpdf2 weasyprint`` in a scratch venv: they are not dependencies).
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import polars as pl

from butdata.report.document import FigureBlock, Heading, PrintPage, TableBlock
from butdata.report.fonts import load_fonts
from butdata.report.images import ChartSettings, render_figures
from butdata.report.render import render_pdf

WIDE = [[f"{(i * j) % 7 / 4:.2f}".replace(".", ",") for j in range(10)] for i in range(12)]
LONG = [[f"ligne {i} valeur {j} texte un peu long" for j in range(5)] for i in range(45)]


def reference_page() -> PrintPage:
    """Two tables (10 × 12, 5 × 45 spanning a page break), two figures: 3 pages."""
    wide = pl.DataFrame({f"Col {j}": [float(i * j % 7) / 4 for i in range(12)] for j in range(10)})
    long = pl.DataFrame({f"En-tête {j}": [row[j] for row in LONG] for j in range(5)})
    figures = [
        go.Figure(
            go.Bar(x=["UE 1", "UE 2", "UE 3"], y=[1, 2.5, 41.3]),
            layout={"title": {"text": f"Figure {k} é « » ≥"}, "height": 380},
        )
        for k in (1, 2)
    ]
    return PrintPage(
        "Référence",
        [("Formation", "QLIO")],
        [
            Heading("Titre é « » ≥ ≤ → … œ"),
            TableBlock(wide),
            TableBlock(long),
            *(FigureBlock(f) for f in figures),
        ],
        ["source.txt, ligne 1"],
        dt.datetime(2026, 12, 1, 10, 42),
    )


def _median(fn: Callable[[], object], runs: int = 5) -> float:
    fn()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_engine() -> None:
    page = reference_page()
    layout = _median(lambda: render_pdf(page, charts=ChartSettings(browser=None)))
    images = render_figures([b.fig for b in page.blocks if isinstance(b, FigureBlock)] * 2)
    seconds = [round(i.seconds, 2) for i in images]
    started = time.perf_counter()
    pdf = render_pdf(page)
    whole = time.perf_counter() - started
    print(
        f"layout (no figures): {layout:.3f} s · figures (first incl. browser start, next…): "
        f"{seconds} s · whole document with Chromium: {whole:.2f} s, {len(pdf) // 1024} KiB"
    )


def _png() -> bytes:
    block = reference_page().blocks[3]
    assert isinstance(block, FigureBlock)  # the reference page's first figure
    images = render_figures([block.fig])
    if images[0].png is None:
        raise SystemExit(f"no figure: {images[0].problem}")
    return images[0].png


def _reportlab(png: bytes, font: Path, bold: Path) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table

    fonts = load_fonts()
    style = ParagraphStyle("b", fontName=fonts.regular, fontSize=8)
    buf = io.BytesIO()
    story: list[Any] = [Paragraph("Titre é « » ≥ ≤ → … œ", style)]
    width = landscape(A4)[0] - 2 * 28
    for rows in (WIDE, LONG):
        story.append(
            Table(
                [[Paragraph(c, style) for c in r] for r in rows],
                repeatRows=1,
                colWidths=[width / len(rows[0])] * len(rows[0]),
            )
        )
    story += [Image(io.BytesIO(png), width=width, height=width * 380 / 1100) for _ in range(2)]
    SimpleDocTemplate(
        buf, pagesize=landscape(A4), leftMargin=28, rightMargin=28, topMargin=28, bottomMargin=28
    ).build(story)
    return buf.getvalue()


def _fpdf2(png: bytes, font: Path, bold: Path) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="L", format="A4")
    pdf.set_margins(10, 10)
    pdf.add_font("DejaVu", fname=str(font))
    pdf.add_font("DejaVu", style="B", fname=str(bold))
    pdf.set_font("DejaVu", size=8)
    pdf.add_page()
    pdf.cell(text="Titre é « » ≥ ≤ → … œ", new_x="LMARGIN", new_y="NEXT")
    for rows in (WIDE, LONG):
        with pdf.table(repeat_headings=1) as table:
            for r in rows:
                table.row(r)
    for _ in range(2):
        pdf.image(io.BytesIO(png), w=277)
    return bytes(pdf.output())


def _weasyprint(png: bytes, font: Path, bold: Path) -> bytes:
    import base64

    import weasyprint

    src = "data:image/png;base64," + base64.b64encode(png).decode()
    css = (
        f"@font-face{{font-family:D;src:url({font.as_uri()})}} "
        "@page{size:A4 landscape;margin:1cm} body{font:8pt D} td{border:.25pt solid grey}"
    )
    html = [f"<style>{css}</style><p>Titre é « » ≥ ≤ → … œ</p>"]
    for rows in (WIDE, LONG):
        html.append(
            "<table><thead><tr>"
            + "".join(f"<th>{c}</th>" for c in rows[0])
            + "</tr></thead>"
            + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows[1:])
            + "</table>"
        )
    html += [f'<img src="{src}" style="width:27.7cm">'] * 2
    return bytes(weasyprint.HTML(string="".join(html)).write_pdf())


def _pages(pdf: bytes) -> str:
    """Page count by poppler's pdfinfo when it is there (object streams hide /Type /Page)."""
    import shutil
    import subprocess
    import tempfile

    if not shutil.which("pdfinfo"):
        return "?"
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=False)
    return next(
        (line.split()[-1] for line in out.stdout.splitlines() if line.startswith("Pages:")), "?"
    )


def bench_libraries() -> None:
    png = _png()
    font, bold = load_fonts().files
    for name, fn in (("reportlab", _reportlab), ("fpdf2", _fpdf2), ("weasyprint", _weasyprint)):
        try:
            started = time.perf_counter()
            pdf = fn(png, font, bold)
            first = time.perf_counter() - started
        except ImportError as exc:
            print(f"{name}: not installed ({exc})")
            continue
        seconds = _median(functools.partial(fn, png, font, bold))
        print(
            f"{name}: first {first:.3f} s (imports included), then median {seconds:.3f} s, "
            f"{len(pdf) // 1024} KiB, {_pages(pdf)} pages"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--libraries", action="store_true", help="compare the PDF libraries")
    if parser.parse_args().libraries:
        bench_libraries()
    else:
        bench_engine()


if __name__ == "__main__":
    main()
