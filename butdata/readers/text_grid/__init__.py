"""Reader for the grid layout: the damaged multi-formation document (004).

Each table was a grid, one row per UE and one column per module, flattened by the PDF
extraction (empty cells dropped, headers shattered into 1-5 character fragments, one per line).
What is read, and how (line numbers are those of the source, 1-based):

Titles
    ``B.U.T. <formation> [(site)] Semestre N [Parcours <parcours>]`` (or ``BUT ...``), possibly
    preceded by a space. Every title gives a table, even with no surviving row. The
    ``"Pass'BUT"`` variant of TC keeps the formation ``TC`` and gets ``parcours = "Pass'BUT"``
    (the title prints no parcours), so it stays a table of its own, visibly.

UE rows
    A row is a line whose trailing tokens are numbers ending like a grid row (read from the
    right): ``A`` = ``cells TOTAL ECTS RATIO AOP`` with sum(cells) = TOTAL; ``B`` = ``cells TOTAL
    ECTS RATIO`` (no AOP column), sum(cells) = TOTAL within the printed rounding; ``C`` = as A
    but sum(cells) + AOP = TOTAL (the AOP cell is not printed). The arithmetic decides; when AOP
    is 0, A and C coincide: ``row_layout`` is left ``None`` and an info issue says so. When no
    ending holds, the ending is taken from the shape of the line and the table's other rows, and
    ``sum_ok`` is False. Lone no-break-space tokens are empty cells (kept as column positions
    only); no-break spaces glued to a number are padding.

UE label and texts
    The label is split vertically (``U`` / ``E`` / ``3.`` / ``2 Name``): ``N.`` gives the
    semester digit, ``k`` (alone or followed by text) the competence. The competence name is the
    first text cell after ``k`` (continued while a line ends with a space or the next line
    starts in lower case); the level text is the rest, up to the numbers. When the label is
    lost, the competence is inferred, in this order, (1) from its position between labelled rows
    of the same body when the gap is exactly filled, (2) from the row's text lines when they
    occur only under one competence of the same formation elsewhere in the document; each
    inference is an issue. A row whose competence stays unknown is not stored (the store needs
    it): an issue quotes its values.

SAÉ split (``kind``)
    RATIO is printed with d decimals: the SAÉ columns come first and some leading run of values
    sums to RATIO x TOTAL within half a unit of the d-th decimal. ``ratio_ok`` says whether such
    a run exists. The leading values get ``kind = "sae"`` only when the row's sum holds and
    exactly one run length fits; every other value keeps ``kind = None`` (a value after the SAÉ
    run may be a ressource, an AOP, a portfolio, a stage...).

Final line
    ``[column totals...] GRAND_TOTAL ECTS_TOTAL [empty ratio cell] [AOP_TOTAL]`` goes to
    ``declared_total`` / ``declared_ects`` / ``declared_aop`` and is checked against the rows.

Bodies under the wrong title
    The text between a title and the next one is cut into bodies at final lines. A body whose UE
    semester digits disagree with the title, or which follows the title's final line, becomes its
    own table with ``identity_inferred = True``: semester from the UE codes, formation from the
    competence texts (when they occur in the tables of one formation only; otherwise from the
    titles around it when they agree), site from the surrounding title when its formation agrees,
    parcours unknown. An issue explains it; it is never merged into the title's table.

Modules
    Where shattered headers survive, fragments are joined and cut at module codes
    (``SAÉ 1.01``, ``R1.01``, ``Portfolio``, ``AOP ...``...) up to ``Total des coefficients``.
    A value is given a module only when its column is certain: the row has exactly one printed
    value per module column, or (Périgueux S1/S2) empty cells survive and the row has the full
    width; column totals (Informatique) place a value only if the placement is the unique one
    compatible with every column total and every row.

Status
    ``empty``: no UE row. ``complete``: the final line is present, its GRAND_TOTAL and
    ECTS_TOTAL (and AOP_TOTAL when printed and every row has an AOP) equal the sums over the
    rows, and every row's own sum holds. ``partial``: anything else with at least one row.

Page numbers (lone integers after a final line) and footers (``Document généré depuis
ORéBUT``, ``Découverte des parcours de BUT3``) are skipped silently: they carry no data.

The stages, one module each: ``tokens`` (a line's numbers, row endings, final line), ``lines``
(lines -> titles, bodies, rows; ``titles`` holds the first two), ``bodies`` (which table each
body makes, identity of misplaced ones), ``rows`` (competence inference, row ending, SAÉ run),
``placement`` (modules and columns of the values), ``tables`` (Table, final-line checks, status).
"""

from __future__ import annotations

from butdata.ids import assign_table_ids
from butdata.model import Document
from butdata.readers.text_grid.bodies import assign_bodies, identity, text_index
from butdata.readers.text_grid.lines import LineReader
from butdata.readers.text_grid.tables import build_table

__all__ = ["parse"]


def parse(source: str, lines: list[str]) -> Document:
    """Read the grid-layout document ``source`` (its lines) into a Document (layout "grid")."""
    reader = LineReader(source, lines)
    titles = reader.read()
    doc = Document(source=source, layout="grid", n_lines=len(lines), issues=reader.doc_issues)
    planned = assign_bodies(titles)
    index = text_index(planned)  # titled bodies only: they identify the misplaced ones
    for plan in planned:
        plan.ident = identity(plan, titles, index)
    index = text_index(planned)
    for plan in planned:
        doc.tables.append(build_table(source, plan, index))
    assign_table_ids(doc.tables, source)
    return doc
