"""« Imprimer / PDF » : what a dashboard page shows, as an A4 landscape PDF for the minutes.

Pure Python (no Streamlit). A page describes what it prints; `render_pdf` lays it out::

    from butdata.report import (FigureBlock, Heading, Metrics, Paragraph, PrintPage,
                                TableBlock, render_pdf, suggested_filename)
    from butdata import fmt

    page = PrintPage(
        title="Comparer les parcours",
        selection=[("Formation", "QLIO"), ("Semestre", "S3"), ("Parcours", "QMI, MP")],
        blocks=[
            Heading("Synthèse"),
            Metrics([("Modules", 24), ("Part SAÉ", fmt.percent(0.413))]),
            TableBlock(matrix, title="Coefficients par parcours", percent=["part_sae"],
                       decimals={"coefficient": 2}, highlight=[(0, "MP")], key_columns=2),
            FigureBlock(charts.compare_heatmap(matrix, labels)),  # title: the figure's own
            Paragraph("Les valeurs absentes sont imprimées « — »."),
        ],
        sources=[f"{t['source']}, ligne {t['source_line']}" for t in tables.iter_rows(named=True)],
        generated_at=datetime.now(),   # the default
        author=None,                   # printed in the footer when given
    )
    st.download_button("Imprimer / PDF", data=lambda: render_pdf(page),
                       file_name=suggested_filename(page), mime="application/pdf")

Rename a frame's columns to their French labels before printing (headers print as given).
`render_pdf` raises `ReportError` (a `ButdataError`, French message) and nothing else.

What the PDF has: on every page the title, the selection (« Formation : QLIO · Semestre : S3 »),
« butdata — généré le 1er décembre 2026 à 10:42 » and « page 1 / 3 »; the blocks in order;
a « Sources » section. Tables keep every column (font 8,5 → 6 pt, then header wrap, then
columns split into parts repeating the key columns), repeat their header on each page, wrap
long cells, print numbers in French (``0,25``, ``41,3 %``, ``1 234`` with narrow no-break
spaces; missing values « — »). Figures are PNG images fitted to the page under their title;
without a browser, or past a timeout, a box says « graphique non disponible : … ».

Choices, measured on this machine (2 cores; `python -m butdata.report.bench [--libraries]`):

- **reportlab** (platypus): the same 4-page document (two tables, two PNG figures, DejaVu TTF)
  in 0.16-0.23 s, against fpdf2 0.33-0.62 s and weasyprint 0.52-0.79 s; wheels: reportlab
  2.0 MB (its other dependencies, pillow and charset-normalizer, were already installed),
  fpdf2 0.3 MB + fonttools 5.5 MB, weasyprint 0.3 MB + 2.5 MB of others + fonttools, and the
  system's Pango, which a machine that only ran ``pip install`` may lack. reportlab also
  ships a TTF font (Vera) for that machine, repeats table headers (``repeatRows``) and splits
  rows taller than a page (``splitInRow``). Maintained: 5.1 released in 2026.
- **Fonts**: DejaVu Sans from the system, else Vera from the reportlab wheel (see `fonts`).
- **Figures**: kaleido 1.5 driving the machine's Chromium, one browser per document (see
  `images`): browser start + first figure 2.1-3.6 s, then 0.2-0.3 s a figure; the
  reference document: layout 0.03-0.05 s, 3.3-3.8 s in all with its two figures.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from butdata.report.document import (
    Block,
    FigureBlock,
    Heading,
    Metrics,
    Paragraph,
    PrintPage,
    ReportError,
    TableBlock,
    suggested_filename,
)

if TYPE_CHECKING:
    from butdata.report.fonts import FontSet, load_fonts
    from butdata.report.images import ChartImage, ChartSettings, find_browser, render_figures
    from butdata.report.render import render_pdf

# Loaded on first use: reportlab takes ≈ 0,15 s to import, which every page's first run paid
# although a PDF is only made when « Imprimer / PDF » is clicked.
_LAZY = {
    "FontSet": "fonts",
    "load_fonts": "fonts",
    "ChartImage": "images",
    "ChartSettings": "images",
    "find_browser": "images",
    "render_figures": "images",
    "render_pdf": "render",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'butdata.report' has no attribute {name!r}")
    return getattr(import_module(f"butdata.report.{module}"), name)


__all__ = [
    "Block",
    "ChartImage",
    "ChartSettings",
    "FigureBlock",
    "FontSet",
    "Heading",
    "Metrics",
    "Paragraph",
    "PrintPage",
    "ReportError",
    "TableBlock",
    "find_browser",
    "load_fonts",
    "render_figures",
    "render_pdf",
    "suggested_filename",
]
