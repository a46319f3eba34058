"""MCC PDFs built from code, in the three layouts departments publish (ruled tables: every cell
has its borders), plus hostile PDFs. The documents' numbers are written here by hand, totals
included (hand arithmetic, noted beside them); tests compare what the reader gives back with
these literals, never with the reader's own output.

Fonts: Bitstream Vera, shipped with reportlab (embedded subset with its ToUnicode map, as in the
PDFs office suites write), so that the accented French text reads back exactly.
"""

from __future__ import annotations

import io
import os
import random
from dataclasses import dataclass, field

import reportlab
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import (
    Flowable,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

FONT, BOLD = "Vera", "VeraBd"
_fonts = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
pdfmetrics.registerFont(TTFont(FONT, os.path.join(_fonts, "Vera.ttf")))
pdfmetrics.registerFont(TTFont(BOLD, os.path.join(_fonts, "VeraBd.ttf")))

CELL = ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=8.5)
H1 = ParagraphStyle("h1", fontName=BOLD, fontSize=14, leading=18, spaceAfter=4)
H2 = ParagraphStyle("h2", fontName=BOLD, fontSize=11, leading=14, spaceAfter=3)
TEXT = ParagraphStyle("text", fontName=FONT, fontSize=8, leading=10)


def heading(text: str, style: ParagraphStyle = H2) -> Paragraph:
    return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), style)


def wrap(text: str) -> Paragraph:
    """A cell text wrapped within its cell's width."""
    return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), CELL)


def _cell(value: object) -> object:
    """Long texts wrap inside their cell (several text lines, as in real MCCs)."""
    if isinstance(value, str) and len(value) > 22:
        return Paragraph(value.replace("&", "&amp;").replace("<", "&lt;"), CELL)
    return value


class Vertical(Flowable):
    """A header cell's text rotated by 90° (read bottom to top), wrapped in columns."""

    def __init__(self, text: str, height: float, size: float = 6.5):
        super().__init__()
        self.size, self.height_ = size, height
        from reportlab.lib.utils import simpleSplit

        self.lines = simpleSplit(text, FONT, size, height - 4)
        self.width_ = len(self.lines) * (size + 1.5) + 2

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        return self.width_, self.height_

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setFont(FONT, self.size)
        c.rotate(90)
        for i, line in enumerate(self.lines):
            c.drawString(2, -(i + 1) * (self.size + 1.5) + 1, line)
        c.restoreState()


def ruled(
    rows: list[list[object]],
    widths: list[float],
    spans: list[tuple[int, int, int, int]] = (),  # (col0, row0, col1, row1)
    bold_rows: tuple[int, ...] = (0,),
    size: float = 7,
) -> Table:
    """A table with every cell bordered (GRID), as departments' spreadsheets print."""
    table = Table([[_cell(v) for v in r] for r in rows], colWidths=widths)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), size),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
    ]
    for r in bold_rows:
        style.append(("FONTNAME", (0, r), (-1, r), BOLD))
    for c0, r0, c1, r1 in spans:
        style.append(("SPAN", (c0, r0), (c1, r1)))
    table.setStyle(TableStyle(style))
    return table


def pdf_bytes(
    pages: list[list[Flowable]],
    footer: str | None = None,
    encrypt: object | None = None,
    pagesize: tuple[float, float] = A4,
) -> bytes:
    """One list of flowables per page; ``footer`` (with ``{page}``) at the bottom of each."""
    buffer = io.BytesIO()

    def on_page(c: pdfcanvas.Canvas, doc: object) -> None:
        if footer:
            c.setFont(FONT, 7)
            c.drawString(40, 20, footer.format(page=c.getPageNumber()))

    doc = SimpleDocTemplate(
        buffer,
        pagesize=pagesize,
        leftMargin=36,
        rightMargin=36,
        topMargin=30,
        bottomMargin=36,
        encrypt=encrypt,
        title="MCC",
    )
    story: list[Flowable] = []
    for i, page in enumerate(pages):
        if i:
            story.append(PageBreak())
        story.extend(page)
    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# (b) Blocks: one page per semester, two per page in the third year


@dataclass
class Semester:
    """One semester as printed; every number is the printed text ('' = empty cell)."""

    number: int
    competences: list[tuple[str, str, str]]  # code, libellé, ECTS
    ressources: list[tuple[str, list[str]]]  # name, one cell per competence
    total_ressources: list[str]
    saes: list[tuple[str, list[str]]]
    total_sae: list[str]
    total: list[str]  # "Total Ressources SAÉ semestre N"
    headings: list[str] = field(default_factory=list)  # printed above "Semestre N"

    @property
    def codes(self) -> list[str]:
        return [c[0] for c in self.competences]


def _competence_table(s: Semester) -> Table:
    rows: list[list[object]] = [["Compétences", "Libellé", "Type évaluation", "Coeff", "ECTS"]]
    rows += [[code, name, "Contrôle continu", "1", ects] for code, name, ects in s.competences]
    return ruled(rows, [58, 230, 80, 34, 34])


def _block(s: Semester, kind: str, with_total: bool = False) -> Table:
    """``kind`` "Ressources" or "SAÉ": header « kind | Coefficients » (merged over the
    competence columns), the codes row, one row per module, the block's total row."""
    n = len(s.codes)
    modules = s.ressources if kind == "Ressources" else s.saes
    total = s.total_ressources if kind == "Ressources" else s.total_sae
    rows: list[list[object]] = [[kind, "Coefficients"] + [""] * (n - 1), [""] + s.codes]
    rows += [[name, *cells] for name, cells in modules]
    rows.append([f"Total {kind}", *total])
    bold = (0, 1, len(rows) - 1)
    if with_total:
        rows.append([f"Total Ressources SAÉ semestre {s.number}", *s.total])
        bold += (len(rows) - 1,)
    return ruled(rows, [190] + [44] * n, spans=[(1, 0, n, 0)], bold_rows=bold)


def _total_table(s: Semester) -> Table:
    n = len(s.codes)
    return ruled(
        [[f"Total Ressources SAÉ semestre {s.number}", *s.total]], [190] + [44] * n, bold_rows=(0,)
    )


def semester_flowables(s: Semester, compact: bool = False) -> list[Flowable]:
    gap = Spacer(1, 3 if compact else 8)
    out: list[Flowable] = [heading(h, H1 if h.startswith("B.U.T.") else H2) for h in s.headings]
    out += [heading(f"Semestre {s.number}"), _competence_table(s), gap, _block(s, "Ressources")]
    out.append(gap)
    if s.number % 2:  # odd semesters: the semester's total in the SAÉ table, even: its own table
        out.append(_block(s, "SAÉ", with_total=True))
    else:
        out += [_block(s, "SAÉ"), gap, _total_table(s)]
    return out


def niveau_table(level: int, semesters: str, coefficients: str, shape: int) -> Table:
    """The year's total; two shapes seen: labels as a header row, or as a first column."""
    if shape == 1:
        rows = [[f"TOTAL NIVEAU {level}", "Coefficients", "ECTS"], [semesters, coefficients, "60"]]
        return ruled(rows, [120, 70, 50], bold_rows=(0,))
    rows = [[f"TOTAL NIVEAU {level}", semesters], ["Coefficients", coefficients], ["ECTS", "60"]]
    return ruled(rows, [120, 70], bold_rows=(0,))


FORMATION = "B.U.T. Métiers du multimédia et de l'internet"
PARCOURS_A = "Développement web et dispositifs interactifs"
PARCOURS_B = "Stratégie de communication numérique et design d'expérience"

# Hand arithmetic of every total is written beside it (competence by competence).
S1 = Semester(
    1,
    [
        ("C1.1", "Comprendre les écosystèmes, les besoins des utilisateurs", "6"),
        ("C1.2", "Concevoir ou co-concevoir une réponse stratégique", "6"),
        ("C1.3", "Exprimer un message avec les médias numériques", "6"),
        ("C1.4", "Développer pour le web et les médias numériques", "6"),
        ("C1.5", "Entreprendre dans le secteur du numérique", "6"),
    ],
    [
        ("Anglais", ["1", "1", "1", "", ""]),
        ("Culture numérique et sociétés", ["", "2", "", "1,5", ""]),
        ("Développement web", ["", "", "", "3", ""]),
        ("Gestion de projet et économie de la communication numérique", ["0,5", "", "", "", "2"]),
        ("Écriture multimédia et narration", ["", "1", "2,5", "", ""]),
    ],
    # 1+0,5 | 1+2+1 | 1+2,5 | 1,5+3 | 2
    ["1,5", "4", "3,5", "4,5", "2"],
    [
        ("Audit de communication numérique", ["3", "1", "", "", ""]),
        ("Production audiovisuelle", ["", "", "3,5", "", "1"]),
        ("Développement web", ["", "", "", "2,5", ""]),  # same name as the ressource
        ("Portfolio", ["", "", "", "", ""]),
    ],
    ["3", "1", "3,5", "2,5", "1"],
    # 1,5+3 | 4+1 | 3,5+3,5 | 4,5+2,5 | 2+1  (sum 26,5)
    ["4,5", "5", "7", "7", "3"],
    headings=[FORMATION, "Modalités de contrôle des connaissances 2025-2026", "Première année"],
)
S2 = Semester(
    2,
    [
        ("C2.1", "Comprendre les écosystèmes, les besoins des utilisateurs", "5"),
        ("C2.2", "Concevoir ou co-concevoir une réponse stratégique", "6"),
        ("C2.3", "Exprimer un message avec les médias numériques", "7"),
        ("C2.4", "Développer pour le web et les médias numériques", "6"),
        ("C2.5", "Entreprendre dans le secteur du numérique", "6"),
    ],
    [
        ("Anglais", ["1", "", "1", "", "1"]),
        ("Intégration", ["", "", "", "2,5", ""]),
        ("Hébergement et bases de données", ["", "1", "", "2", ""]),
        ("Stratégies de communication", ["2", "1,5", "", "", "0,5"]),
    ],
    # 1+2 | 1+1,5 | 1 | 2,5+2 | 1+0,5
    ["3", "2,5", "1", "4,5", "1,5"],
    [
        ("Produire un site web", ["", "", "1", "4", ""]),
        ("Concevoir une campagne", ["4", "2", "", "", "1,5"]),
        ("Portfolio", ["0,5", "0,5", "0,5", "0,5", "0,5"]),
    ],
    # 4+0,5 | 2+0,5 | 1+0,5 | 4+0,5 | 1,5+0,5
    ["4,5", "2,5", "1,5", "4,5", "2"],
    # 3+4,5 | 2,5+2,5 | 1+1,5 | 4,5+4,5 | 1,5+2  (sum 27,5)
    ["7,5", "5", "2,5", "9", "3,5"],
)
S3 = Semester(
    3,
    [
        ("C3.1", "Comprendre les écosystèmes, les besoins des utilisateurs", "6"),
        ("C3.2", "Concevoir ou co-concevoir une réponse stratégique", "6"),
        ("C3.3", "Exprimer un message avec les médias numériques", "6"),
        ("C3.4", "Développer pour le web et les médias numériques", "6"),
        ("C3.5", "Entreprendre dans le secteur du numérique", "6"),
    ],
    [
        ("Anglais", ["1", "1", "", "", ""]),
        ("Développement web", ["", "", "", "3", ""]),
        ("Design d'expérience", ["", "2", "1,5", "", ""]),
        ("Entrepreneuriat", ["", "", "", "", "2,5"]),
    ],
    ["1", "3", "1,5", "3", "2,5"],  # 1 | 1+2 | 1,5 | 3 | 2,5
    [
        ("Développement web", ["", "", "", "4,5", ""]),  # same name as the ressource
        (
            "Stratégie de communication numérique et design d'expérience",
            ["3", "2", "2,5", "", "1"],
        ),
        ("Portfolio", ["", "", "", "", ""]),
    ],
    ["3", "2", "2,5", "4,5", "1"],
    # 1+3 | 3+2 | 1,5+2,5 | 3+4,5 | 2,5+1  (sum 24)
    ["4", "5", "4", "7,5", "3,5"],
    headings=["Deuxième année", f"Parcours {PARCOURS_A}"],
)
S4 = Semester(
    4,
    [
        ("C4.1", "Comprendre les écosystèmes, les besoins des utilisateurs", "6"),
        ("C4.2", "Concevoir ou co-concevoir une réponse stratégique", "6"),
        ("C4.3", "Exprimer un message avec les médias numériques", "6"),
        ("C4.4", "Développer pour le web et les médias numériques", "6"),
        ("C4.5", "Entreprendre dans le secteur du numérique", "6"),
    ],
    [
        ("Anglais", ["0,5", "0,5", "0,5", "", ""]),
        ("Développement back-end", ["", "", "", "3,5", ""]),
        ("Gestion de projet", ["", "", "", "", "2"]),
    ],
    ["0,5", "0,5", "0,5", "3,5", "2"],
    [
        ("Application web interactive", ["1", "2", "2", "5", "1"]),
        ("Portfolio", ["", "", "", "", ""]),
        ("Stage", ["", "", "", "", ""]),
    ],
    # WRONG on purpose: C4.4 prints 5,5 where its only SAÉ value is 5.
    ["1", "2", "2", "5,5", "1"],
    # 0,5+1 | 0,5+2 | 0,5+2 | 3,5+5 | 2+1  (sum 18)
    ["1,5", "2,5", "2,5", "8,5", "3"],
)
S5A = Semester(
    5,
    [
        ("C5.1", "Comprendre les écosystèmes, les besoins des utilisateurs", "10"),
        ("C5.4", "Développer pour le web et les médias numériques", "10"),
        ("C5.5", "Entreprendre dans le secteur du numérique", "10"),
    ],
    [
        ("Anglais", ["1", "1", ""]),
        ("Développement web avancé", ["", "4", ""]),
        ("Entrepreneuriat", ["", "", "3"]),
    ],
    ["1", "5", "3"],  # 1 | 1+4 | 3
    [("Projet transverse", ["5", "6,5", "4"]), ("Portfolio", ["0,5", "0,5", "0,5"])],
    ["5,5", "7", "4,5"],  # 5+0,5 | 6,5+0,5 | 4+0,5
    ["6,5", "12", "7,5"],  # 1+5,5 | 5+7 | 3+4,5  (sum 26)
    headings=["Troisième année"],
)
S6A = Semester(
    6,
    [
        ("C6.1", "Comprendre les écosystèmes, les besoins des utilisateurs", "10"),
        ("C6.4", "Développer pour le web et les médias numériques", "10"),
        ("C6.5", "Entreprendre dans le secteur du numérique", "10"),
    ],
    [("Anglais", ["1", "", ""]), ("Veille technologique", ["", "1,5", "1"])],
    ["1", "1,5", "1"],
    [("Stage", ["8", "10", "12,5"]), ("Portfolio", ["", "", ""])],
    ["8", "10", "12,5"],
    ["9", "11,5", "13,5"],  # 1+8 | 1,5+10 | 1+12,5  (sum 34)
)
S5B = Semester(
    5,
    [
        ("C5.1", "Comprendre les écosystèmes, les besoins des utilisateurs", "15"),
        ("C5.2", "Concevoir ou co-concevoir une réponse stratégique", "15"),
    ],
    [("Anglais", ["1", "1"]), ("Stratégie de marque", ["3", ""])],
    ["4", "1"],
    [("Campagne de communication", ["6", "7,5"]), ("Portfolio", ["", ""])],
    ["6", "7,5"],
    ["10", "8,5"],  # 4+6 | 1+7,5  (sum 18,5)
)
S6B = Semester(
    6,
    [
        ("C6.1", "Comprendre les écosystèmes, les besoins des utilisateurs", "15"),
        ("C6.2", "Concevoir ou co-concevoir une réponse stratégique", "15"),
    ],
    [("Anglais", ["0,5", "0,5"])],
    ["0,5", "0,5"],
    [("Stage", ["10", "10"])],
    ["10", "10"],
    ["10,5", "10,5"],  # 0,5+10 | 0,5+10  (sum 21)
)
BLOCK_SEMESTERS = (S1, S2, S3, S4, S5A, S6A, S5B, S6B)
BLOCK_PARCOURS = (
    None,
    None,
    PARCOURS_A,
    PARCOURS_A,
    PARCOURS_A,
    PARCOURS_A,
    PARCOURS_B,
    PARCOURS_B,
)
FOOTER = "MCC B.U.T. MMI 2025-2026 — page {page}"


def _side_by_side(left: list[Flowable], right: list[Flowable]) -> Table:
    """Two semesters next to each other (an unruled layout table around ruled tables)."""
    outer = Table([[left, right]], colWidths=[262, 262])
    outer.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return outer


def blocks_pdf(niveau_1: str = "54") -> bytes:
    """Six pages: S1, S2 (+ TOTAL NIVEAU 1), S3 (new year, parcours A), S4 (+ TOTAL NIVEAU 2,
    a wrong « Total SAÉ »), S5 and S6 of parcours A stacked on one page (+ TOTAL NIVEAU 3),
    then S5 and S6 of parcours B side by side (+ TOTAL NIVEAU 3). Headings not repeated carry
    over: the formation from page 1, the year and parcours to the following pages."""
    pages = [
        semester_flowables(S1),
        semester_flowables(S2)
        + [Spacer(1, 10), niveau_table(1, "S1 + S2", niveau_1, 1)],  # 26,5 + 27,5
        semester_flowables(S3),
        semester_flowables(S4) + [Spacer(1, 10), niveau_table(2, "S3 + S4", "42", 2)],
        semester_flowables(S5A, compact=True)
        + [Spacer(1, 6)]
        + semester_flowables(S6A, compact=True)
        + [Spacer(1, 6), niveau_table(3, "S5 + S6", "60", 1)],  # 26 + 34
        [
            heading(f"Parcours {PARCOURS_B}"),
            _side_by_side(_narrow(S5B), _narrow(S6B)),
            Spacer(1, 10),
            niveau_table(3, "S5 + S6", "39,5", 2),  # 18,5 + 21
        ],
    ]
    return pdf_bytes(pages, footer=FOOTER)


def _narrow(s: Semester) -> list[Flowable]:
    n = len(s.codes)
    comp = ruled(
        [["Compétences", "Libellé", wrap("Type évaluation"), "Coeff", "ECTS"]]
        + [[code, name, "CC", "1", ects] for code, name, ects in s.competences],
        [60, 96, 42, 28, 30],
    )
    ressources = ruled(
        [["Ressources", "Coefficients"] + [""] * (n - 1), [""] + s.codes]
        + [[name, *cells] for name, cells in s.ressources]
        + [["Total Ressources", *s.total_ressources]],
        [150] + [40] * n,
        spans=[(1, 0, n, 0)],
        bold_rows=(0, 1, 2 + len(s.ressources)),
    )
    saes = ruled(
        [["SAÉ", "Coefficients"] + [""] * (n - 1), [""] + s.codes]
        + [[name, *cells] for name, cells in s.saes]
        + [["Total SAÉ", *s.total_sae], [f"Total Ressources SAÉ semestre {s.number}", *s.total]],
        [150] + [40] * n,
        spans=[(1, 0, n, 0)],
        bold_rows=(0, 1, 2 + len(s.saes), 3 + len(s.saes)),
    )
    return [heading(f"Semestre {s.number}"), comp, Spacer(1, 6), ressources, Spacer(1, 6), saes]


def block_pages(n_pages: int, seed: int = 1) -> bytes:
    """A long block-layout document for measurements: ``n_pages`` semester pages of random
    coefficients (totals computed, so that they hold)."""
    rng = random.Random(seed)
    pages = []
    for p in range(n_pages):
        number = p % 6 + 1
        codes = [f"C{number}.{k}" for k in range(1, 6)]

        def values() -> list[str]:
            return [rng.choice(["", "", "0,5", "1", "1,5", "2", "3"]) for _ in range(5)]

        def total(rows: list[list[str]]) -> list[str]:
            sums = [sum(float(r[k].replace(",", ".") or 0) for r in rows) for k in range(5)]
            return [f"{x:g}".replace(".", ",") for x in sums]

        res = [values() for _ in range(12)]
        sae = [values() for _ in range(5)]
        s = Semester(
            number,
            [(c, f"Compétence {c} du référentiel national", "6") for c in codes],
            [(f"Ressource {number}.{i:02d} du programme", v) for i, v in enumerate(res, 1)],
            total(res),
            [(f"SAÉ {number}.{i:02d} projet", v) for i, v in enumerate(sae, 1)],
            total(sae),
            total(res + sae),
            headings=[FORMATION] if p == 0 else [],
        )
        pages.append(semester_flowables(s))
    return pdf_bytes(pages, footer=FOOTER)


# ---------------------------------------------------------------------------------------------
# (c) ORéBUT grid: UE rows, module columns


@dataclass
class GridTable:
    title: str
    modules: list[str]  # header texts, e.g. "SAÉ 1.01 – Marketing : …"
    rows: list[tuple[str, str, str, list[str], str, str, str, str | None]]
    # (UE code, competence, level, cells, total, ECTS, ratio, AOP or None)
    final: list[str]  # the final line, cells aligned with the columns after the UE label columns


GRID_S1 = GridTable(
    "B.U.T. Techniques de commercialisation (Périgueux) Semestre 1",
    [
        "SAÉ 1.01 – Marketing : positionnement d'une offre simple sur un marché",
        "SAÉ 1.02 – Vente : démarche de prospection",
        "R1.01 – Fondamentaux du marketing et comportement du consommateur",
        "R1.02 – Fondamentaux de la vente",
        "R1.03 – Ressources et culture numériques",
        "AOP MITD",
        "Portfolio",
    ],
    [
        # SAÉ 4 + 0; R 6 + 0 + 2; AOP 3; Portfolio 1 -> 4+6+2+3+1 = 16;
        # ratio SAÉ / total = 4 / 16 = 0,25 (or with the portfolio 5 / 16 = 0,3125)
        (
            "UE 1.1",
            "Marketing",
            "Niveau 1 : conduire les actions marketing",
            ["4", "", "6", "", "2", "3", "1"],
            "16",
            "10",
            "0,25",
            "3",
        ),
        # SAÉ 0 + 5; R 0 + 7,5 + 1,5; AOP 0; Portfolio 1 -> 15; ratio 5 / 15 = 0,33
        (
            "UE 1.2",
            "Vente",
            "Niveau 1 : mener la démarche de prospection",
            ["", "5", "", "7,5", "1,5", "0", "1"],
            "15",
            "10",
            "0,33",
            "0",
        ),
        # SAÉ 2 + 2; R 1 + 1 + 4; AOP 2; Portfolio 0 -> 12; ratio 4 / 12 = 0,33
        (
            "UE 1.3",
            "Communication commerciale",
            "Niveau 1 : élaborer un plan de communication",
            ["2", "2", "1", "1", "4", "2", "0"],
            "12",
            "10",
            "0,33",
            "2",
        ),
    ],
    # column totals 6 | 7 | 7 | 8,5 | 7,5 | 5 | 2 ; grand 43 ; ECTS 30 ; ratio empty ; AOP 5
    ["6", "7", "7", "8,5", "7,5", "5", "2", "43", "30", "", "5"],
)
GRID_S2 = GridTable(
    "B.U.T. Techniques de commercialisation (Périgueux) Semestre 2",
    [
        "SAÉ 2.01 – Marketing : marketing mix",
        "R2.01 – Marketing mix",
        "R2.02 – Négociation : préparation et conduite d'un entretien de vente",
        "Portfolio",
    ],
    [
        # 5 + 4 + 0 + 1 = 10; ratio 5 / 10 = 0,5
        ("UE 2.1", "Marketing", "Niveau 1", ["5", "4", "", "1"], "10", "15", "0,5", None),
        # 3 + 0 + 6 + 1 = 10 but printed 11 (WRONG on purpose); ratio printed 0,3
        ("UE 2.2", "Vente", "Niveau 1", ["3", "", "6", "1"], "11", "15", "0,3", None),
    ],
    # column totals 8 | 4 | 6 | 2 ; grand 21 (= 10 + 11, the printed row totals) ; ECTS 30
    ["8", "4", "6", "2", "21", "30", ""],
)


def grid_flowables(g: GridTable) -> list[Flowable]:
    has_aop = any(r[7] is not None for r in g.rows)
    trailing = ["Total des coefficients", "ECTS", "rapport SAE/UE"] + (
        ["Total AOP"] if has_aop else []
    )
    verticals = [Vertical(t, 150) for t in g.modules + trailing]
    head = ["UE", "Compétence", wrap("Niveau de la compétence"), *verticals]
    rows: list[list[object]] = [head]
    for code, name, level, cells, total, ects, ratio, aop in g.rows:
        rows.append(
            [code, name, level, *cells, total, ects, ratio] + ([aop or ""] if has_aop else [])
        )
    rows.append(["", "", "", *g.final])
    widths = [34, 80, 96] + [max(26.0, v.width_ + 6) for v in verticals]
    return [
        heading(g.title, H2),
        ruled(rows, widths, bold_rows=(), size=6.5),
        Spacer(1, 8),
        Paragraph("Document généré depuis ORéBUT", TEXT),
    ]


def grid_pdf() -> bytes:
    from reportlab.lib.pagesizes import landscape

    return pdf_bytes([grid_flowables(GRID_S1), grid_flowables(GRID_S2)], pagesize=landscape(A4))


# ---------------------------------------------------------------------------------------------
# (a) Module rows, UE columns: the QLIO document's own tables, rendered as its PDF was


def module_table_flowables(
    title: str,
    year: str | None,
    ues: list[tuple[str, str]],
    header: list[str],
    rows: list[list[str]],
    sections: dict[int, str],
) -> list[Flowable]:
    """``rows``: code, name, semester coefficient, UE coefficients, as printed; the two total
    rows last. ``sections``: row index -> section text printed as a merged row before it."""
    out: list[Flowable] = [heading(title, H2)]
    if year:
        out.append(Paragraph(year, TEXT))
    out += [Paragraph(f"{code} - {name}", TEXT) for code, name in ues]
    out.append(Spacer(1, 4))
    n = len(header)
    body: list[list[object]] = [[wrap(h) for h in header]]
    spans = []
    for i, row in enumerate(rows):
        if i in sections:
            spans.append((0, len(body), n - 1, len(body)))
            body.append([sections[i]] + [""] * (n - 1))
        body.append(row)
    widths = [58, 250, 42] + [42] * (n - 3)
    spans += [(0, len(body) - 2, 1, len(body) - 2), (0, len(body) - 1, 1, len(body) - 1)]
    table = ruled(body, widths, spans=spans, bold_rows=(0, len(body) - 2, len(body) - 1))
    table.repeatRows = 1  # a table longer than the page goes on with its header repeated
    out.append(table)
    return out


def qlio_pdf(doc: object, lines: list[str]) -> bytes:
    """The QLIO document's 18 tables (as the text reader reads them) printed one after the
    other: every number is the token of its source line, as printed there (« 1.50 », « 0.00 »).
    Long tables go on over the next page, header repeated for one table in two."""
    story: list[Flowable] = []
    for k, table in enumerate(doc.tables):  # type: ignore[attr-defined]
        n_ue = len(table.ues)

        def tokens(line: int, n: int) -> list[str]:
            return lines[line - 1].split()[-n:]

        rows = []
        sections: dict[int, str] = {}
        section = None
        for i, m in enumerate(table.modules):
            if m.section != section:
                section = m.section
                sections[i] = (
                    "Modules du Tronc Commun"
                    if section == "tronc commun"
                    else "Modules de spécialité"
                )
            rows.append([m.code, m.name, *tokens(m.line, n_ue + 1)])
        rows.append(["Total des coefficients", "", *tokens(table.totals_line, n_ue + 1)])
        rows.append(["Crédits ECTS", "", *tokens(table.ues[0].ects_line, n_ue + 1)])
        header = ["Code PN", "Intitulé module", "Coeff semestre"] + [
            f"Coeff {u.code}" for u in table.ues
        ]
        flow = module_table_flowables(
            table.title, table.year, [(u.code, u.name) for u in table.ues], header, rows, sections
        )
        flow[-1].repeatRows = 1 if k % 2 == 0 else 0
        story += flow + [Spacer(1, 14)]
    return pdf_bytes([story], footer="MCC QLIO 2025-2026 — page {page}")


# ---------------------------------------------------------------------------------------------
# Hostile PDFs


def scanned_pdf() -> bytes:
    """A page that is only an image of a table (a scan): no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader

    image = Image.new("L", (600, 300), 255)
    draw = ImageDraw.Draw(image)
    for y in range(20, 281, 40):
        draw.line([(20, y), (580, y)], fill=0, width=2)
    for x in (20, 300, 580):
        draw.line([(x, 20), (x, 280)], fill=0, width=2)
    draw.text((30, 30), "Ressources  C3.1  C3.2", fill=0)
    buffer = io.BytesIO()
    c = pdfcanvas.Canvas(buffer, pagesize=A4)
    for _ in range(2):
        c.drawImage(ImageReader(image), 40, 400, width=500, height=250)
        c.showPage()
    c.save()
    return buffer.getvalue()


def encrypted_pdf(user_password: str = "secret") -> bytes:
    """The block document protected by a password (empty = owner password only: readable)."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    enc = StandardEncryption(user_password, ownerPassword="owner", canPrint=1, canCopy=0)
    return pdf_bytes([semester_flowables(S1)], encrypt=enc)


def text_pdf(n_pages: int, text: str = "Compte rendu du conseil de département") -> bytes:
    """Pages of running text (no MCC table)."""
    pages = [
        [heading(f"{text} — page {i + 1}"), Paragraph("Ordre du jour : " + "point. " * 80, TEXT)]
        for i in range(n_pages)
    ]
    return pdf_bytes(pages)


def many_pages_pdf(n_pages: int = 300) -> bytes:
    """A long PDF (canvas only: fast to write) whose every page holds a little ruled table."""
    buffer = io.BytesIO()
    c = pdfcanvas.Canvas(buffer, pagesize=A4)
    for i in range(n_pages):
        c.setFont(FONT, 10)
        c.drawString(50, 800, f"Semestre {i % 6 + 1}")
        for y in (700, 720, 740):
            c.line(50, y, 300, y)
        for x in (50, 175, 300):
            c.line(x, 700, x, 740)
        c.drawString(55, 725, "Ressources")
        c.showPage()
    c.save()
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# (b) in XLSX: the same document drafted in a workbook, one sheet per page


def _sheet_rows(s: Semester, col: int = 0, text_numbers: bool = False) -> list[list[object]]:
    """The semester's rows starting at column ``col``: numbers as numbers (« 2,5 » -> 2.5),
    or kept as typed text when ``text_numbers``; empty cells as None."""

    def cell(v: str) -> object:
        if v == "":
            return None
        return v if text_numbers else float(v.replace(",", "."))

    pad: list[object] = [None] * col
    n = len(s.codes)
    rows: list[list[object]] = [pad + [h] for h in s.headings]
    rows.append(pad + [f"Semestre {s.number}"])
    rows.append([])
    rows.append(pad + ["Compétences", "Libellé", "Type évaluation", "Coeff", "ECTS"])
    rows += [pad + [code, name, "Contrôle continu", 1, cell(e)] for code, name, e in s.competences]
    rows.append([])
    for kind, modules, total in (
        ("Ressources", s.ressources, s.total_ressources),
        ("SAÉ", s.saes, s.total_sae),
    ):
        rows.append(pad + [kind, "Coefficients"] + [None] * (n - 1))
        rows.append(pad + [None, *s.codes])
        rows += [pad + [name, *(cell(v) for v in cells)] for name, cells in modules]
        rows.append(pad + [f"Total {kind}", *(cell(v) for v in total)])
        rows.append([])
    rows.append(pad + [f"Total Ressources SAÉ semestre {s.number}", *(cell(v) for v in s.total)])
    rows.append([])
    return rows


def blocks_workbook() -> bytes:
    """The block document of ``blocks_pdf`` as a department drafts it: sheet « S1 » … one per
    page, the last one with S5 and S6 of parcours B side by side (a blank column between);
    S3's numbers typed as text with a decimal comma."""
    import openpyxl

    book = openpyxl.Workbook()
    book.remove(book.active)

    def sheet(title: str, rows: list[list[object]]) -> None:
        ws = book.create_sheet(title)
        for r, values in enumerate(rows, start=1):
            for c, v in enumerate(values, start=1):
                if v is not None:
                    ws.cell(r, c, v)

    niveau = [
        lambda lv, pair, coef: [[f"TOTAL NIVEAU {lv}", "Coefficients", "ECTS"], [pair, coef, 60]],
        lambda lv, pair, coef: [
            [f"TOTAL NIVEAU {lv}", pair],
            ["Coefficients", coef],
            ["ECTS", 60],
        ],
    ]
    sheet("S1", _sheet_rows(S1))
    sheet("S2", _sheet_rows(S2) + niveau[0](1, "S1 + S2", 54))
    sheet("S3", _sheet_rows(S3, text_numbers=True))
    sheet("S4", _sheet_rows(S4) + niveau[1](2, "S3 + S4", 42))
    sheet("S5 S6", _sheet_rows(S5A) + _sheet_rows(S6A) + niveau[0](3, "S5 + S6", 60))
    left = [[f"Parcours {PARCOURS_B}"], []] + _sheet_rows(S5B)
    right = [[], []] + _sheet_rows(S6B, col=6)  # column F stays blank between the two
    both = []
    for i in range(max(len(left), len(right))):
        row = left[i] if i < len(left) else []
        both.append(row + [None] * (6 - len(row)) + (right[i][6:] if i < len(right) else []))
    sheet("S5 S6 parcours B", both + [[]] + niveau[1](3, "S5 + S6", 39.5))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# (b) as another office suite draws it: borders as thin filled rectangles, other labels


def _excel_table(
    c: pdfcanvas.Canvas,
    x: float,
    top: float,
    widths: list[float],
    rows: list[list[str]],
    merged: tuple[int, ...] = (),
    height: float = 15,
) -> float:
    """Draw a ruled table the way spreadsheets export it: each border a filled rectangle
    0.6 pt thick, text at the left of its cell; ``merged`` rows are one cell across. Returns
    the y (from the top) under the table."""
    page_h = A4[1]
    width = sum(widths)
    t = 0.6
    for r, row in enumerate(rows):
        y = top + r * height
        c.rect(x, page_h - y - t / 2, width, t, stroke=0, fill=1)
        edges = [x] if r in merged else [x + sum(widths[:k]) for k in range(len(widths))]
        for ex in [*edges, x + width]:
            c.rect(ex - t / 2, page_h - y - height, t, height, stroke=0, fill=1)
        c.setFont(FONT, 7)
        for k, text in enumerate(row[:1] if r in merged else row):
            if text:
                c.drawString(x + sum(widths[:k]) + 3, page_h - y - height + 4.5, text)
    c.rect(x, page_h - (top + len(rows) * height) - t / 2, width, t, stroke=0, fill=1)
    return top + len(rows) * height


def variants_pdf() -> bytes:
    """A block MCC written differently: « BUT Informatique », « 1ère année », no « Semestre »
    heading on page 1 (the semester comes from the codes), competences header « Code |
    Compétence | Crédits ECTS », codes on the block's header row with a « Total » column per
    module, module code and name in two cells, decimal points, « - » for empty, « Sous-total »
    labels, « Semestre 2 » as a merged row inside the table, S2's SAÉ block going on over page
    3 without its header. Hand arithmetic beside each total."""
    buffer = io.BytesIO()
    c = pdfcanvas.Canvas(buffer, pagesize=A4)
    c.setFont(BOLD, 13)
    c.drawString(40, A4[1] - 40, "BUT Informatique")
    c.setFont(BOLD, 11)
    c.drawString(40, A4[1] - 58, "1ère année")
    w5 = [60, 200, 70]
    y = _excel_table(
        c,
        40,
        70,
        w5,
        [
            ["Code", "Compétence", "Crédits ECTS"],
            ["C1.1", "Réaliser", "12"],
            ["C1.2", "Optimiser", "8"],
            ["C1.3", "Administrer", "10"],
            ["Total", "", "30"],
        ],
    )
    wb = [50, 170, 45, 45, 45, 45]
    y = _excel_table(
        c,
        40,
        y + 12,
        wb,
        [
            ["RESSOURCES", "", "C1.1", "C1.2", "C1.3", "Total"],
            ["R1.01", "Initiation au développement", "4.5", "-", "-", "4.5"],
            ["R1.02", "Architecture des ordinateurs", "-", "1.5", "2", "3.5"],
            ["R1.03", "Anglais", "0.5", "0.5", "0.5", "1.5"],
            # 4.5 + 0.5 = 5 | 1.5 + 0.5 = 2 | 2 + 0.5 = 2.5 | total 9.5
            ["Sous-total ressources", "", "5", "2", "2.5", "9.5"],
        ],
    )
    y = _excel_table(
        c,
        40,
        y + 12,
        wb,
        [
            ["SAÉ", "", "C1.1", "C1.2", "C1.3", "Total"],
            ["SAÉ 1.01", "Implémentation d'un besoin client", "6", "-", "-", "6"],
            ["SAÉ 1.02", "Installation d'un poste", "-", "-", "7.5", "7"],  # WRONG: 7.5
            ["", "Portfolio", "-", "-", "-", ""],
            ["Sous-total SAÉ", "", "6", "0", "7.5", "13.5"],
            # 5 + 6 = 11 | 2 + 0 = 2 | 2.5 + 7.5 = 10 | 23
            ["Total semestre 1", "", "11", "2", "10", "23"],
        ],
    )
    c.showPage()
    y = _excel_table(
        c,
        40,
        40,
        [60, 200, 70],
        [
            ["Semestre 2"],
            ["Code", "Compétence", "Crédits ECTS"],
            ["C2.1", "Réaliser", "10"],
            ["C2.2", "Optimiser", "10"],
            ["C2.3", "Administrer", "10"],
        ],
        merged=(0,),
    )
    y = _excel_table(
        c,
        40,
        y + 12,
        wb,
        [
            ["RESSOURCES", "", "C2.1", "C2.2", "C2.3", "Total"],
            ["R2.01", "Développement orienté objets", "5", "-", "-", "5"],
            ["R2.02", "Réseaux", "-", "-", "3", "3"],
            ["Sous-total ressources", "", "5", "0", "3", "8"],
        ],
    )
    _excel_table(
        c,
        40,
        y + 12,
        wb,
        [
            ["SAÉ", "", "C2.1", "C2.2", "C2.3", "Total"],
            ["SAÉ 2.01", "Développement d'une application", "4", "2", "-", "6"],
        ],
    )
    c.showPage()
    _excel_table(
        c,
        40,
        40,
        wb,
        [
            ["SAÉ 2.02", "Exploration algorithmique", "-", "3.5", "-", "3.5"],
            ["SAÉ 2.03", "Installation de services réseau", "-", "-", "4", "4"],
            # 4 | 2 + 3.5 = 5.5 | 4 | 13.5
            ["Sous-total SAÉ", "", "4", "5.5", "4", "13.5"],
            # 5 + 4 = 9 | 0 + 5.5 = 5.5 | 3 + 4 = 7 | 21.5
            ["Total semestre 2", "", "9", "5.5", "7", "21.5"],
        ],
    )
    c.save()
    return buffer.getvalue()


def bomb_pdf(inflated: int = 40_000_000) -> bytes:
    """One page whose content stream is a few kilobytes compressed and ``inflated`` bytes once
    decompressed (a compression bomb), written by hand with its cross-reference table."""
    import zlib

    stream = zlib.compress(b" " * inflated, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def merged_labels_pdf() -> bytes:
    """One semester whose blocks are one table: a first column where « Ressources » and
    « SAÉ » are each one cell merged down their rows, the codes row above both blocks, the
    block totals merged over the two label columns; no « Semestre » heading (the codes say
    S3). Hand sums beside the totals."""
    competences = ruled(
        [
            ["Compétences", "Libellé", "Type évaluation", "Coeff", "ECTS"],
            ["C3.1", "Piloter la qualité", "Contrôle continu", "1", "10"],
            ["C3.2", "Gérer les flux", "Contrôle continu", "1", "20"],
        ],
        [58, 230, 80, 34, 34],
    )
    rows = [
        ["", "", "C3.1", "C3.2"],
        ["Ressources", "Anglais", "1", "1"],
        ["", "Statistiques", "2,5", ""],
        ["", "Gestion de production", "", "4"],
        ["Total Ressources", "", "3,5", "5"],  # 1 + 2,5 | 1 + 4
        ["SAÉ", "Projet qualité", "5", ""],
        ["", "Projet logistique", "", "6,5"],
        ["", "Portfolio", "", ""],
        ["Total SAÉ", "", "5", "6,5"],
        ["Total Ressources SAÉ semestre 3", "", "8,5", "11,5"],  # 3,5 + 5 | 5 + 6,5
    ]
    blocks = ruled(
        rows,
        [70, 190, 50, 50],
        spans=[(0, 1, 0, 3), (0, 4, 1, 4), (0, 5, 0, 7), (0, 8, 1, 8), (0, 9, 1, 9)],
        bold_rows=(0, 4, 8, 9),
    )
    page = [heading("B.U.T. QLIO", H1), heading("Deuxième année"), competences, Spacer(1, 8)]
    return pdf_bytes([page + [blocks]])
