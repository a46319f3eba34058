"""What a source reader hands to the store: plain dataclasses, one document at a time.

Readers never guess: a value the source does not determine is ``None``. Every value carries
the 1-based line of the source file it was read from (for a PDF: its page, with the cell).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from butdata.vocab import EMPTY


@dataclass
class Issue:
    """A warning about the source: a mismatch, an oddity, something dropped or inferred."""

    line: int | None
    code: str  # short machine code, e.g. "sum_mismatch", "code_variant"
    message: str  # French, shown to users
    severity: str = "warning"  # "info" | "warning" | "error"


@dataclass
class Module:
    """A module (column of the grid, line of the clean layout) when the source identifies it."""

    code: str | None
    name: str | None
    kind: str | None
    position: int  # 1-based order in the table
    semester_coefficient: float | None  # "Coeff semestre" where printed
    line: int | None
    section: str | None = None  # "tronc commun" / "spécialité" when printed


@dataclass
class Coefficient:
    """One printed non-zero value of one UE row."""

    competence: int
    position: int  # 1-based order among the printed values of the UE row / module line order
    coefficient: float
    printed: str  # the token exactly as printed (e.g. "1,25", "1.50")
    line: int
    module_code: str | None = None
    module_name: str | None = None
    kind: str | None = None
    column: int | None = None  # 1-based grid column when the source keeps empty cells, else None
    # Where a PDF prints it (``line`` is then the page too): the page, the labels of the cell's
    # row and column as printed (also kept for a spreadsheet), the cell's box in PDF points
    # (x0, top, x1, bottom, from the page's top-left corner, as pdfplumber gives it).
    page: int | None = None
    row_label: str | None = None
    column_label: str | None = None
    bbox: tuple[float, float, float, float] | None = None


@dataclass
class UE:
    code: str  # as printed: "UE31", "UE 3.1"
    competence: int
    name: str | None
    line: int
    level: str | None = None  # level text of the competence (grid layout)
    ects: float | None = None
    total: float | None = None  # declared total coefficient
    sae_share: float | None = None  # 0-1; printed ratio or computed from known kinds
    sae_share_printed: bool = False  # True when the source prints the ratio
    aop_total: float | None = None
    ects_line: int | None = None
    total_line: int | None = None
    # Own-arithmetic checks: True/False, None when not checkable.
    sum_ok: bool | None = None
    ratio_ok: bool | None = None
    row_layout: str | None = None  # grid row ending: "A", "B", "C" (None for clean layout)


@dataclass
class Table:
    source: str  # document file name
    line: int  # line of the title
    title: str  # normalised title text
    formation: str | None  # acronym
    formation_name: str | None
    site: str | None
    semester: int | None
    parcours: str | None
    alternance: bool
    layout: str  # "modules" (clean, one module per line) | "grid" | "blocks" | "template"
    status: str = EMPTY  # butdata.vocab.STATUSES
    identity_inferred: bool = False  # body printed under another title: identity read from the body
    year: str | None = None  # "2025-2026" when printed
    declared_total: float | None = None  # semester total coefficient / grand total
    declared_ects: float | None = None
    declared_aop: float | None = None
    totals_line: int | None = None
    ues: list[UE] = field(default_factory=list)
    modules: list[Module] = field(default_factory=list)
    coefficients: list[Coefficient] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    table_id: str | None = None  # set by the reader (stable across rebuilds)
    # The document an imported file says its values come from, kept apart from ``source`` (the
    # file that holds them): an upload cannot pass its values off as an official document's.
    declared_source: str | None = None


@dataclass
class Document:
    source: str  # file name
    layout: str
    n_lines: int
    tables: list[Table] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)  # document-level (not tied to a table)
    # What the document is, for people: its title and year as printed (or from the metadata file
    # beside it, NAME.meta.toml), and its kind: "mcc" (a department's MCC), "programme" (the
    # national programme, ORéBUT), "template" (a filled template or an export).
    title: str | None = None
    year: str | None = None
    kind: str = "mcc"
