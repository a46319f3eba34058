"""A PDF into a Document: pages read once (``extract``), each table sniffed for its layout and
handed, with the page's headings in reading order, to that layout's reader.

A table whose layout is not recognisable from its own rows (a table continued on the next
page without its header) goes to the layout of the table before it. Every heading goes to
every layout's reader (each takes what its titles say). What no reader takes (a cover page's
table of contents, a legend) is left out silently; a PDF where nothing is an MCC table is an
error, as is a PDF without any text (a scan).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from butdata.errors import SourceError
from butdata.ids import assign_table_ids
from butdata.model import Document, Issue, Table
from butdata.readers.pdf.blocks_layout import BlocksReader
from butdata.readers.pdf.cells import Group, Page, TextLine, reading_order
from butdata.readers.pdf.errors import LIMITS, Limits
from butdata.readers.pdf.extract import read_pages
from butdata.readers.pdf.grid_layout import GridReader
from butdata.readers.pdf.modules_layout import ModulesReader
from butdata.readers.pdf.sniff import BLOCKS, GRID, MODULES, sniff


def read_pdf(path: Path, source: str | None = None, limits: Limits = LIMITS) -> Document:
    source = source or Path(path).name
    pages: list[Page] = []
    textless: list[int] = []  # images only
    pictured: list[int] = []  # images and no ruled table (a scan, maybe with recognised text)
    for page, n_images in read_pages(Path(path), source, limits):
        if not page.groups and n_images:
            pictured.append(page.number)
            if not page.lines:
                textless.append(page.number)
        pages.append(page)
    if pages and len(textless) == len(pages):
        raise SourceError(
            source,
            None,
            f"PDF sans texte : numérisé ? ({_pages(textless)} : des images seulement ; un PDF "
            "enregistré depuis le traitement de texte ou le tableur, avec son texte, est attendu)",
        )
    try:
        doc = pages_to_document(source, pages)
    except SourceError as exc:
        if not pictured:
            raise
        raise SourceError(
            source,
            None,
            f"{exc.message} ; {_pages(pictured)} : des images sans tableau dessiné (PDF "
            "numérisé ?)",
        ) from None
    for page in pages:
        if page.unmapped:
            doc.issues.append(
                Issue(
                    page.number,
                    "bad_value",
                    f"page {page.number} : {page.unmapped} caractère(s) illisible(s) (police "
                    "sans correspondance) : textes et valeurs de la page à vérifier",
                )
            )
    for number in textless:
        doc.issues.append(
            Issue(
                number,
                "page_without_text",
                f"page {number} : image sans texte (numérisée ?), non lue",
            )
        )
    return doc


def _pages(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"page {numbers[0]}"
    return f"pages {numbers[0]} à {numbers[-1]}"


class LayoutReader(Protocol):
    issues: list[Issue]

    def heading(self, line: TextLine) -> None: ...
    def group(self, group: Group) -> None: ...
    def tables(self) -> list[Table]: ...


def pages_to_document(source: str, pages: list[Page]) -> Document:
    blocks = BlocksReader(source)
    modules = ModulesReader(source)
    readers: dict[str, LayoutReader] = {
        BLOCKS: blocks,
        MODULES: modules,
        GRID: GridReader(source),
    }
    last: str | None = None
    used: set[str] = set()
    for page in pages:
        blocks.sheet = page.name
        waiting: list[Group] = []  # tables before the page's first recognisable one
        for item in reading_order(page):
            if isinstance(item, TextLine):
                for reader in readers.values():
                    reader.heading(item)
                continue
            layout = sniff(item) or last
            if layout is None:
                waiting.append(item)
                continue
            for group in [*waiting, item]:
                readers[layout].group(group)
            waiting.clear()
            last = layout
            used.add(layout)
    tables: list[Table] = []
    issues: list[Issue] = []
    for layout in (BLOCKS, MODULES, GRID):
        if layout in used:
            reader = readers[layout]
            tables += reader.tables()
            issues += reader.issues
    if not tables:
        raise SourceError(
            source,
            None,
            "aucun tableau de MCC reconnu dans ce PDF (attendus : des tableaux à bordures « Code "
            "PN | Intitulé module | Coeff UE… », des blocs « Ressources » / « SAÉ » par "
            "compétence, ou la grille ORéBUT « UE | modules | Total des coefficients »)",
        )
    tables.sort(key=lambda t: t.line)  # stable: the order of each page
    assign_table_ids(tables, source)
    doc = Document(
        source=source,
        layout="pdf-" + "-".join(sorted(used)) if len(used) == 1 else "pdf",
        n_lines=len(pages),
        tables=tables,
        issues=issues,
    )
    if MODULES in used:
        modules.cross_checks(doc)
    years = {t.year for t in tables if t.year}
    doc.year = years.pop() if len(years) == 1 else None
    doc.title = _title(blocks if BLOCKS in used else None, tables)
    _name_pages(doc)
    return doc


def _title(blocks: BlocksReader | None, tables: list[Table]) -> str | None:
    """The formation heading of a block document; else « B.U.T. <name> » of its tables."""
    if blocks is not None and blocks.context.formation_text:
        return blocks.context.formation_text
    names = {t.formation_name for t in tables if t.formation_name}
    return f"B.U.T. {names.pop()}" if len(names) == 1 else None


def _name_pages(doc: Document) -> None:
    """Every warning says on which page (a PDF source's line is its page)."""
    for issues in [doc.issues, *(t.issues for t in doc.tables)]:
        for issue in issues:
            if issue.line is not None and not issue.message.startswith("page "):
                issue.message = f"page {issue.line} : {issue.message}"
