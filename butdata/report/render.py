"""`PrintPage` → A4 landscape PDF bytes (reportlab platypus).

Every page: the page title and the selection at the top, « butdata — généré le … » and
« page i / n » at the bottom (drawn once the page count is known). The blocks follow in order,
then a « Sources » section.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus.doctemplate import LayoutError

from butdata import fmt
from butdata.errors import ButdataError
from butdata.report.document import (
    FigureBlock,
    Heading,
    Metrics,
    Paragraph,
    PrintPage,
    ReportError,
    TableBlock,
)
from butdata.report.fonts import FontSet, load_fonts
from butdata.report.images import ChartImage, ChartSettings, render_figures
from butdata.report.tables import table_flowables

PAGE_WIDTH, PAGE_HEIGHT = landscape(A4)  # 841.9 × 595.3 pt
MARGIN_X = 28.35  # 1 cm
HEADER_HEIGHT = 62.0  # title + two lines of selection + rule
FOOTER_HEIGHT = 34.0
FRAME_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
FRAME_HEIGHT = PAGE_HEIGHT - HEADER_HEIGHT - FOOTER_HEIGHT
METRICS_PER_ROW = 6
INK = colors.HexColor("#1d2733")
MUTED = colors.HexColor("#5b6773")
RULE = colors.HexColor("#8c99a6")
NO_CHART = "graphique non disponible"
TOP_MARGIN_PX = 30  # a figure's top margin once its title is printed above it instead
METRIC_BG = colors.HexColor("#f7f9fb")
PLACEHOLDER_BG = colors.HexColor("#f3f4f6")


@dataclass(frozen=True)
class _Styles:
    h1: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    caption: ParagraphStyle
    note: ParagraphStyle
    source: ParagraphStyle
    metric_label: ParagraphStyle
    metric_value: ParagraphStyle


def _styles(fonts: FontSet) -> _Styles:
    body = ParagraphStyle(
        "body",
        fontName=fonts.regular,
        bulletFontName=fonts.regular,
        fontSize=9.5,
        leading=12.5,
        textColor=INK,
        spaceAfter=5,
    )
    return _Styles(
        h1=ParagraphStyle(
            "h1",
            parent=body,
            fontName=fonts.bold,
            fontSize=13,
            leading=16,
            spaceBefore=8,
            spaceAfter=5,
            keepWithNext=True,
        ),
        h2=ParagraphStyle(
            "h2",
            parent=body,
            fontName=fonts.bold,
            fontSize=11,
            leading=14,
            spaceBefore=6,
            spaceAfter=4,
            keepWithNext=True,
        ),
        body=body,
        caption=ParagraphStyle(
            "caption",
            parent=body,
            fontName=fonts.bold,
            fontSize=10,
            leading=13,
            spaceBefore=6,
            spaceAfter=3,
        ),
        note=ParagraphStyle(
            "note",
            parent=body,
            fontSize=8,
            leading=10,
            textColor=MUTED,
            spaceBefore=2,
            spaceAfter=6,
        ),
        source=ParagraphStyle(
            "source",
            parent=body,
            fontSize=8.5,
            leading=11,
            leftIndent=10,
            bulletIndent=0,
            spaceAfter=1,
        ),
        metric_label=ParagraphStyle(
            "metric-label", parent=body, fontSize=8, leading=10, textColor=MUTED, spaceAfter=0
        ),
        metric_value=ParagraphStyle(
            "metric-value", parent=body, fontName=fonts.bold, fontSize=14, leading=17, spaceAfter=0
        ),
    )


def _text(text: str, style: ParagraphStyle, fonts: FontSet) -> RLParagraph:
    """Plain text (never markup) as a paragraph; line breaks kept."""
    return RLParagraph(escape(fonts.printable(text)).replace("\n", "<br/>"), style)


# --------------------------------------------------------------------------- page chrome


@dataclass(frozen=True)
class _Chrome:
    """What is drawn around the content of every page."""

    title: str
    selection: list[str]  # lines
    footer: str
    fonts: FontSet

    @classmethod
    def of(cls, page: PrintPage, fonts: FontSet) -> _Chrome:
        selection = simpleSplit(
            fonts.printable(fmt.selection(page.selection)), fonts.regular, 9, FRAME_WIDTH
        )
        if len(selection) > 2:
            selection = [
                selection[0],
                _truncate(" ".join(selection[1:]), fonts.regular, 9, FRAME_WIDTH),
            ]
        footer = f"butdata — généré le {fmt.timestamp(page.generated_at)}"
        if page.author:
            footer += f" par {page.author}"
        return cls(
            _truncate(fonts.printable(page.title), fonts.bold, 13, FRAME_WIDTH),
            selection,
            fonts.printable(footer),
            fonts,
        )

    def draw(self, canvas: Canvas, number: int, total: int) -> None:
        top, right = PAGE_HEIGHT - 24, PAGE_WIDTH - MARGIN_X
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.setFont(self.fonts.bold, 13)
        canvas.drawString(MARGIN_X, top, self.title)
        canvas.setFont(self.fonts.regular, 9)
        canvas.setFillColor(MUTED)
        for k, line in enumerate(self.selection):
            canvas.drawString(MARGIN_X, top - 14 - 11 * k, line)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.6)
        canvas.line(
            MARGIN_X, PAGE_HEIGHT - HEADER_HEIGHT + 6, right, PAGE_HEIGHT - HEADER_HEIGHT + 6
        )
        canvas.line(MARGIN_X, FOOTER_HEIGHT - 8, right, FOOTER_HEIGHT - 8)
        canvas.setFont(self.fonts.regular, 8)
        canvas.drawString(
            MARGIN_X,
            FOOTER_HEIGHT - 20,
            _truncate(self.footer, self.fonts.regular, 8, FRAME_WIDTH - 80),
        )
        canvas.drawRightString(right, FOOTER_HEIGHT - 20, f"page {number} / {total}")
        canvas.restoreState()


def _truncate(text: str, font: str, size: float, width: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _canvas_class(chrome: _Chrome) -> type[Canvas]:
    """A canvas that keeps its pages until the end, then draws the chrome with the total
    page count (« page 2 / 5 ») on each."""

    class ChromeCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._held: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._held.append(dict(self.__dict__))
            self._startPage()  # type: ignore[attr-defined]  # reportlab: start a blank page

        def save(self) -> None:
            for number, state in enumerate(self._held, 1):
                self.__dict__.update(state)
                chrome.draw(self, number, len(self._held))
                super().showPage()
            super().save()

    return ChromeCanvas


# --------------------------------------------------------------------------- blocks


def _figure_title(block: FigureBlock) -> str:
    if block.title:
        return block.title
    try:
        own = block.fig.layout.title.text
    except AttributeError:
        own = None
    return re.sub(r"<[^>]+>", " ", own).strip() if own else ""


def _figure_spec(block: FigureBlock) -> dict[str, Any]:
    """The figure as plain data, without its own title (printed above the image)."""
    try:
        spec: dict[str, Any] = block.fig.to_dict()
    except AttributeError as exc:
        raise ReportError(
            f"graphique « {block.title or 'sans titre'} » : une figure plotly est "
            f"attendue, reçu {type(block.fig).__name__}"
        ) from exc
    layout = spec.setdefault("layout", {})
    if layout.pop("title", None) is not None:  # its room goes too (plotly's default: 100 px)
        margin = layout.setdefault("margin", {})
        margin["t"] = min(margin.get("t", 100), TOP_MARGIN_PX)
    return spec


def _figure(block: FigureBlock, image: ChartImage, styles: _Styles, fonts: FontSet) -> Flowable:
    title = _figure_title(block) or ("graphique sans titre" if image.png is None else "")
    parts: list[Flowable] = [_text(title, styles.caption, fonts)] if title else []
    max_height = FRAME_HEIGHT - 50 - (14 if block.note else 0)
    ratio = image.height_px / max(image.width_px, 1)
    width = min(FRAME_WIDTH, max_height / ratio)
    if image.png is not None:
        parts.append(Image(io.BytesIO(image.png), width=width, height=width * ratio))
    else:  # a box the size of the figure (at most 160 pt high) saying why it is missing
        message = f"{NO_CHART} : {image.problem}" if image.problem else NO_CHART
        box = Table(
            [[_text(message, styles.body, fonts)]],
            colWidths=[width],
            rowHeights=[max(min(width * ratio, 160), 40)],
            hAlign="LEFT",
        )
        box.setStyle(
            TableStyle(
                [
                    ("FONT", (0, 0), (-1, -1), fonts.regular, 9),
                    ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                    ("BACKGROUND", (0, 0), (-1, -1), PLACEHOLDER_BG),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("LEFTPADDING", (0, 0), (-1, -1), 12),
                ]
            )
        )
        parts.append(box)
    if block.note:
        parts.append(_text(block.note, styles.note, fonts))
    parts.append(Spacer(1, 6))
    return KeepTogether(parts)


def _metrics(block: Metrics, styles: _Styles, fonts: FontSet) -> list[Flowable]:
    out: list[Flowable] = [_text(block.title, styles.caption, fonts)] if block.title else []
    if not block.items:
        return out
    per_row = min(METRICS_PER_ROW, len(block.items))
    cells: list[list[Flowable] | str] = [
        [
            _text(label, styles.metric_label, fonts),
            _text(fmt.cell(value), styles.metric_value, fonts),
        ]
        for label, value in block.items
    ]
    cells += [""] * (-len(cells) % per_row)  # the last row's empty boxes
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    table = Table(rows, colWidths=[FRAME_WIDTH / per_row] * per_row, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), fonts.regular, 9),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LEFTPADDING", (0, 0), (-1, -1), 8),
    ]
    for k in range(len(block.items)):
        cell = (k % per_row, k // per_row)
        style += [("BOX", cell, cell, 0.6, RULE), ("BACKGROUND", cell, cell, METRIC_BG)]
    table.setStyle(TableStyle(style))
    return [*out, table, Spacer(1, 6)]


def _story(
    page: PrintPage, images: Sequence[ChartImage], styles: _Styles, fonts: FontSet
) -> list[Flowable]:
    story: list[Flowable] = []
    figures = iter(images)
    for block in page.blocks:
        if isinstance(block, Heading):
            story.append(_text(block.text, styles.h1 if block.level == 1 else styles.h2, fonts))
        elif isinstance(block, Paragraph):
            story.append(_text(block.text, styles.body, fonts))
        elif isinstance(block, TableBlock):
            story += table_flowables(block, fonts, FRAME_WIDTH, styles.caption, styles.note)
            story.append(Spacer(1, 8))
        elif isinstance(block, FigureBlock):
            story.append(_figure(block, next(figures), styles, fonts))
        elif isinstance(block, Metrics):
            story += _metrics(block, styles, fonts)
        else:
            raise ReportError(
                f"élément de page inconnu : {type(block).__name__} (attendu : "
                "Heading, Paragraph, TableBlock, FigureBlock ou Metrics)"
            )
    story.append(_text("Sources", styles.h1, fonts))
    for source in page.sources or ["aucune source indiquée"]:
        story.append(RLParagraph(escape(fonts.printable(source)), styles.source, bulletText="•"))
    return story


# --------------------------------------------------------------------------- entry point


def render_pdf(
    page: PrintPage, *, charts: ChartSettings | None = None, fonts: FontSet | None = None
) -> bytes:
    """The page as A4 landscape PDF bytes. Figures are rendered with ``charts`` (default: the
    machine's Chromium, 20 s a figure, 60 s in all); a figure that cannot be rendered is a
    box saying why, never a failure. Raises `ReportError` (French message) otherwise."""
    try:
        return _render(page, charts or ChartSettings(), fonts or load_fonts())
    except ButdataError:
        raise
    except LayoutError as exc:
        raise ReportError(
            f"mise en page impossible pour « {getattr(page, 'title', '?')} » : "
            "un élément ne tient "
            f"pas dans une page ({str(exc)[:200]})"
        ) from exc
    except Exception as exc:
        raise ReportError(
            f"le PDF « {getattr(page, 'title', '?')} » n'a pas pu être produit : "
            f"{type(exc).__name__} : {str(exc)[:300]}"
        ) from exc


def _render(page: PrintPage, charts: ChartSettings, fonts: FontSet) -> bytes:
    if not isinstance(page, PrintPage):
        raise ReportError(f"un PrintPage est attendu, reçu {type(page).__name__}")
    figure_blocks = [b for b in page.blocks if isinstance(b, FigureBlock)]
    images = render_figures([_figure_spec(b) for b in figure_blocks], charts)
    styles = _styles(fonts)
    chrome = _Chrome.of(page, fonts)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=HEADER_HEIGHT,
        bottomMargin=FOOTER_HEIGHT,
        title=page.title,
        author=page.author or "butdata",
        subject=fmt.selection(page.selection),
        creator="butdata",
        lang="fr-FR",
        initialFontName=fonts.regular,
        initialFontSize=9,
    )
    frame = Frame(
        MARGIN_X,
        FOOTER_HEIGHT,
        FRAME_WIDTH,
        FRAME_HEIGHT,
        id="content",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(_story(page, images, styles, fonts), canvasmaker=_canvas_class(chrome))
    return buffer.getvalue()
