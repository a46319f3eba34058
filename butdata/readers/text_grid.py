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
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from butdata import fmt
from butdata.errors import SourceError
from butdata.formations import NAMES, acronym
from butdata.ids import assign_table_ids
from butdata.model import UE, Coefficient, Document, Issue, Module, Table
from butdata.text import decimals, normalize, parse_number
from butdata.vocab import (
    ROUNDING,
    SAE,
    coefficient_problem,
    ects_problem,
    module_kind,
    table_status,
)

NBSP = "\u00a0"
TITLE = re.compile(
    r"^(?:B\.U\.T\.|BUT)\s+(?P<name>.+?)\s*(?:\((?P<site>[^)]*)\))?\s*-?\s*"
    r"Semestre\s+(?P<sem>\d)(?:\s+Parcours\s+(?P<parcours>.*))?$"
)
PASS_BUT = re.compile(r"\"?Pass'BUT\"?")
FOOTERS = ("Document généré depuis ORéBUT", "Découverte des parcours de BUT3")
NUMBER = re.compile(r"^[0-9]+(?:,[0-9]+)?$")  # ASCII digits, never negative
SEMESTER_DIGIT = re.compile(r"^(\d)\.$")
COMPETENCE = re.compile(r"^(\d)(?: (.*))?$")
LABEL_FRAGMENT = re.compile(
    r"^(U|E|SA|É|Compétences?|Niveau de la|compétence SA|"
    r"Compétences? Niveau de (?:la )?compétences? SA)$"
)
CODE_FRAGMENT = re.compile(r"^[A-Z]{1,3}$")  # vertical parcours codes: "CP" / "O" / "P Piloter"
MODULE_START = re.compile(
    r"(SA[ÉE] ?\d\.(?:[A-Z]{2,6}\.)?\d{2}|SAE\d?\.(?:STAGE|AOP)|R\d\.(?:[A-Z]{2,6}\.)?\d{2}|"
    r"Portfolio|PPP(?: \d)?|AOP [A-Z]{2,}?(?=R\d\.|SA|Portfolio|PPP|Total| |$)|"
    r"Total des coefficients|ECTS|rapport SAE/UE|Total AOP)"
)
TRAILING_HEADERS = ("Total des coefficients", "ECTS", "rapport SAE/UE", "Total AOP")
EPS = 1e-6


@dataclass
class Token:
    printed: str  # "" for an empty cell (a lone no-break space)
    value: float | None


@dataclass
class Row:
    """One UE row as read: the values line plus what the label region says."""

    line: int
    tokens: list[Token]  # numbers and empty cells, left to right
    text: str  # text printed before the numbers on the row's line
    semester: int | None = None  # from the "N." label fragment
    competence: int | None = None
    competence_line: int | None = None
    how: str = "label"  # "label" | "position" | "text"
    name: str | None = None
    level: str | None = None
    texts: list[str] = field(default_factory=list)  # normalised text lines of the label region
    layout: str | None = None
    family: str | None = None  # "AC" (AOP column) or "B"
    sum_ok: bool | None = None
    ratio_ok: bool | None = None
    sae_run: int | None = None  # length of the SAÉ run when unique


@dataclass
class Final:
    line: int
    grand: float | None
    ects: float | None
    aop: float | None
    columns: list[float]
    extras: list[str]


@dataclass
class Body:
    rows: list[Row] = field(default_factory=list)
    final: Final | None = None
    header_lines: list[tuple[int, str]] = field(default_factory=list)
    leftover: list[int] = field(default_factory=list)  # text lines followed by no values
    labelled: list[tuple[int | None, str]] = field(default_factory=list)  # (competence, text)
    lost: list[int] = field(default_factory=list)  # label lines of rows whose values are lost


@dataclass
class Title:
    line: int
    text: str
    formation: str | None
    formation_name: str | None
    site: str | None
    semester: int | None
    parcours: str | None
    bodies: list[Body] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Lines


def _numeric_tail(raw: str) -> tuple[str, list[Token]]:
    """Split a raw line into its text prefix and its trailing numbers / empty cells."""
    parts = raw.split(" ")
    tokens: list[Token] = []
    i = len(parts)
    while i > 0:
        part = parts[i - 1]
        bare = part.strip(NBSP)
        if bare and NUMBER.match(bare):
            tokens.append(Token(bare, parse_number(bare)))
        elif not bare and part:
            tokens.append(Token("", None))  # lone no-break space(s): an empty cell
        elif part:
            break
        i -= 1
    tokens.reverse()
    while tokens and tokens[0].value is None:  # an empty cell needs a number on its left
        tokens.pop(0)
    return " ".join(parts[:i]), tokens


def _is_ratio(token: Token) -> bool:
    return (
        token.value is not None
        and 0 <= token.value <= 1
        and ("," in token.printed or token.value == 0)
    )


def _numbers(tokens: list[Token]) -> list[Token]:
    return [t for t in tokens if t.value is not None]


def _half_unit(printed: str) -> float:
    return 0.5 * 10 ** -decimals(printed)


def _ending(
    nums: list[Token], family: str
) -> tuple[list[Token], Token, Token, Token, Token | None]:
    """(cells, total, ects, ratio, aop) for a row-ending family ("AC" or "B")."""
    if family == "AC":
        return nums[:-4], nums[-4], nums[-3], nums[-2], nums[-1]
    return nums[:-3], nums[-3], nums[-2], nums[-1], None


def _families(nums: list[Token]) -> list[str]:
    """Row-ending families the shape of the numbers allows."""
    fams = []
    if len(nums) >= 5 and _is_ratio(nums[-2]) and nums[-3].value > 0:
        fams.append("AC")
    if len(nums) >= 4 and _is_ratio(nums[-1]) and nums[-2].value > 0:
        fams.append("B")
    return fams


def _sum_holds(cells: list[Token], total: Token, extra: float = 0.0, rounded: bool = False) -> bool:
    diff = abs(sum(c.value for c in cells) + extra - total.value)
    if not rounded:
        return diff < EPS
    tol = _half_unit(total.printed) + sum(_half_unit(c.printed) for c in cells)
    return diff <= tol + EPS


def _layouts_that_hold(nums: list[Token]) -> list[str]:
    held = []
    for fam in _families(nums):
        cells, total, _, _, aop = _ending(nums, fam)
        if fam == "AC":
            if _sum_holds(cells, total):
                held.append("A")
            if aop.value and _sum_holds(cells, total, aop.value):
                held.append("C")
            if aop.value == 0 and "A" in held:
                held.append("C")
        elif _sum_holds(cells, total, rounded=True):
            held.append("B")
    return held


def _parse_final(tokens: list[Token], line: int) -> Final | None:
    """``[column totals] GRAND ECTS [empty] [AOP]``; None when the numbers don't fit."""
    nums = _numbers(tokens)
    if len(nums) < 2:
        return None
    empty = next((i for i, t in enumerate(tokens) if t.value is None), None)
    if empty is not None:
        before, after = _numbers(tokens[:empty]), _numbers(tokens[empty + 1 :])
        if len(before) < 2 or len(after) > 1:
            return None
        grand, ects, aop, cols = before[-2], before[-1], (after[0] if after else None), before[:-2]
    elif len(nums) == 2:
        grand, ects, aop, cols = nums[0], nums[1], None, []
    else:
        grand, ects, aop, cols = nums[-3], nums[-2], nums[-1], nums[:-3]
    columns = [c.value for c in cols] if len(cols) >= 2 else []
    extras = [c.printed for c in cols] if len(cols) == 1 else []
    return Final(line, grand.value, ects.value, aop.value if aop else None, columns, extras)


def _title(line: int, text: str) -> Title | None:
    m = TITLE.match(text)
    if not m:
        return None
    name = m.group("name").strip()
    parcours = m.group("parcours")
    if PASS_BUT.search(name):
        name = PASS_BUT.sub("", name).strip()
        parcours = "Pass'BUT"
    name = name.rstrip(" -")
    acr = acronym(name)
    return Title(
        line,
        text,
        acr,
        name,
        (m.group("site") or "").strip() or None,
        int(m.group("sem")),
        (parcours or "").strip() or None,
    )


# ---------------------------------------------------------------------------------------------
# Reading the lines into titles, bodies and rows


class _Reader:
    def __init__(self, source: str, lines: list[str]):
        self.source, self.lines = source, lines
        self.norm = [normalize(raw) for raw in lines]
        self.titles: list[Title] = []
        self.doc_issues: list[Issue] = []

    def read(self) -> list[Title]:
        region: list[int] = []  # text lines since the last row / final line / title
        title: Title | None = None
        body = Body()
        for i, raw in enumerate(self.lines, start=1):
            text = self.norm[i - 1]
            if not text or any(text.startswith(f) for f in FOOTERS):
                continue
            new_title = _title(i, text) if "Semestre" in text else None
            if new_title:
                self._close(title, body, region)
                title, body, region = new_title, Body(), []
                self.titles.append(title)
                continue
            if raw.rstrip(" ")[-1:].isdigit() or raw.endswith(NBSP):
                prefix, tokens = _numeric_tail(raw)
            else:  # cannot end with a number: plain text
                prefix, tokens = raw, []
            nums = _numbers(tokens)
            if len(nums) >= 4 and _families(nums):
                body.rows.append(self._row(i, prefix, tokens, region, body))
                region = []
                continue
            if not normalize(prefix) and len(nums) >= 2:
                final = _parse_final(tokens, i)
                if final:
                    body.final = final
                    body.leftover = self._leftover(region, body)
                    body.labelled += self._label_texts(region)
                    self._close_body(title, body)
                    body, region = Body(), []
                    continue
            if title is None:
                self.doc_issues.append(
                    Issue(
                        i, "text_before_title", f"texte avant le premier titre ignoré : « {text} »"
                    )
                )
                continue
            region.append(i)
        self._close(title, body, region)
        return self.titles

    def _label_texts(self, region: list[int]) -> list[tuple[int | None, str]]:
        """Text lines of a region with the competence label in effect above them."""
        out, comp = [], None
        for i in region:
            text = self.norm[i - 1]
            m = COMPETENCE.match(text)
            if m:
                comp, text = int(m.group(1)), m.group(2) or ""
            if len(text) >= 12:
                out.append((comp, text))
        return out

    def _fragments(self, region: list[int]) -> list[tuple[int, str]]:
        """Shattered header fragments: short lines (1-5 characters, spaces included)."""
        out = []
        for i in region:
            if len(self.lines[i - 1].strip()) <= 6:
                out.append((i, self.lines[i - 1]))
            elif self.norm[i - 1].endswith(" SA"):  # "Compétence ... SA" + "É" = "SAÉ"
                out.append((i, "SA"))
        return out

    def _leftover(self, region: list[int], body: Body) -> list[int]:
        """Text lines of UE labels whose values did not survive (header fragments excluded)."""
        headers = {i for i, _ in body.header_lines}
        return [
            i
            for i in region
            if i not in headers
            and len(self.norm[i - 1]) > 5
            and not LABEL_FRAGMENT.match(self.norm[i - 1])
        ]

    def _close_body(self, title: Title | None, body: Body) -> None:
        if title is not None and (body.rows or body.final or not title.bodies):
            title.bodies.append(body)

    def _close(self, title: Title | None, body: Body, region: list[int]) -> None:
        if not body.rows and not body.header_lines:
            body.header_lines = self._fragments(region)
        body.leftover = body.leftover or self._leftover(region, body)
        if not body.final:
            body.labelled += self._label_texts(region)
        if title is not None and (body.rows or body.final or body.header_lines or not title.bodies):
            title.bodies.append(body)

    def _row(
        self, line: int, prefix: str, tokens: list[Token], region: list[int], body: Body
    ) -> Row:
        row = Row(line, tokens, normalize(prefix))
        # The last competence label of the region starts this row's texts; what comes before it
        # (in the first row of a body) is header fragments.
        comp_at = None
        if raw_starts_fresh := (self.lines[line - 1].startswith(" ") and normalize(prefix)):
            # The line starts a new fragment (the text before it was lost): a label above it
            # belongs to a row whose values are lost, not to these values.
            region, lost = [], region
        for k, i in enumerate(region):
            m = COMPETENCE.match(self.norm[i - 1])
            if m and m.group(1) != "0":
                comp_at = k
        start = 0
        if comp_at is not None:
            m = COMPETENCE.match(self.norm[region[comp_at] - 1])
            row.competence, row.competence_line = int(m.group(1)), region[comp_at]
            for i in region[:comp_at]:
                sm = SEMESTER_DIGIT.match(self.norm[i - 1])
                if sm:
                    row.semester = int(sm.group(1))
            start = comp_at
            body.labelled += self._label_texts(region[:comp_at])
        else:  # no label: the row's own texts follow the last "U" of a lost label, if any
            marks = [k for k, i in enumerate(region) if self.norm[i - 1] == "U"]
            start = marks[-1] + 1 if marks else 0
        if not body.rows and not body.header_lines:
            header_end = comp_at if comp_at is not None else start
            body.header_lines = self._fragments(region[:header_end])
        texts = [
            i
            for i in region[start:]
            if not LABEL_FRAGMENT.match(self.norm[i - 1])
            and not SEMESTER_DIGIT.match(self.norm[i - 1])
        ]
        self._texts(row, texts, comp_at is not None)
        if raw_starts_fresh:
            body.labelled += self._label_texts(lost)
            body.lost += [i for i in lost if len(self.norm[i - 1]) > 5]
        body.labelled += [(row.competence, t) for t in row.texts if len(t) >= 12]
        return row

    def _texts(self, row: Row, text_lines: list[int], labelled: bool) -> None:
        """Competence name (first cell after the label) and level text (the rest)."""
        items = []  # (text, ends_open)
        first = True
        for i in text_lines:
            raw, text = self.lines[i - 1], self.norm[i - 1]
            if labelled and first:
                first = False
                text = COMPETENCE.match(text).group(2) or ""
                if not text:
                    continue
            items.append((i, text, raw.rstrip("\r").endswith((" ", NBSP))))
        # Vertical parcours codes after the competence digit ("CP" / "O" / "P Piloter...").
        if labelled:
            k = 0
            while k < len(items) and CODE_FRAGMENT.match(items[k][1]):
                k += 1
            if k:
                items = items[k:]
                if items and re.match(r"^[A-Z] \S", items[0][1]):
                    items[0] = (items[0][0], items[0][1][2:], items[0][2])
        if row.text:
            items.append((row.line, row.text, False))
        row.texts = [t for _, t, _ in items]
        if not labelled:
            return
        name: list[str] = []
        k = 0
        while k < len(items):
            i, text, open_ = items[k]
            name.append(text)
            k += 1
            nxt = items[k] if k < len(items) else None
            adjacent = nxt is not None and nxt[0] == i + 1
            if not open_ and not (adjacent and nxt[1][:1].islower()):
                break
        level = [t for _, t, _ in items[k:]]
        row.name = " ".join(name) or None
        row.level = " ".join(level) or None


# ---------------------------------------------------------------------------------------------
# Building the tables


def parse(source: str, lines: list[str]) -> Document:
    """Read the grid-layout document ``source`` (its lines) into a Document (layout "grid")."""
    reader = _Reader(source, lines)
    titles = reader.read()
    doc = Document(source=source, layout="grid", n_lines=len(lines), issues=reader.doc_issues)
    planned = _assign_bodies(titles)
    index = _text_index(planned)  # titled bodies only: they identify the misplaced ones
    for plan in planned:
        plan.ident = _identity(plan, titles, index)
    index = _text_index(planned)
    for plan in planned:
        doc.tables.append(_build_table(source, plan, index))
    assign_table_ids(doc.tables, source)
    return doc


@dataclass
class _Plan:
    title: Title  # the title the body was printed under
    body: Body
    inferred: bool
    index: int  # position of the title in the document
    reason: str = ""
    rows: list[Row] = field(default_factory=list)
    formation: str | None = None
    orphans: list[tuple[int, str, str]] = field(default_factory=list)  # (line, code, message)
    ident: dict = field(default_factory=dict)


def _body_semesters(body: Body) -> Counter:
    return Counter(r.semester for r in body.rows if r.semester is not None)


def _assign_bodies(titles: list[Title]) -> list[_Plan]:
    """Every title gets a plan (its own first body, possibly empty); misplaced bodies get theirs."""
    plans = []
    for k, title in enumerate(titles):
        own = _Plan(title, Body(), False, k)
        plans.append(own)
        for b, body in enumerate(title.bodies):
            sems = _body_semesters(body)
            if b == 0 and (not sems or title.semester in sems):
                own.body, own.rows = body, list(body.rows)
                if len(sems) > 1:
                    own.orphans.append(
                        (
                            body.rows[0].line,
                            "mixed_semesters",
                            "codes UE de plusieurs semestres dans le même corps",
                        )
                    )
            elif b == 0:
                digits = "/".join(str(s) for s in sorted(sems))
                plans.append(
                    _Plan(
                        title,
                        body,
                        True,
                        k,
                        rows=list(body.rows),
                        reason=(
                            f"codes UE du semestre {digits} sous le titre du semestre {title.semester}"
                        ),
                    )
                )
            elif body.rows:
                plans.append(
                    _Plan(
                        title,
                        body,
                        True,
                        k,
                        rows=list(body.rows),
                        reason=("lignes UE imprimées après la ligne de totaux du tableau"),
                    )
                )
            elif body.final:
                own.orphans.append(
                    (body.final.line, "orphan_totals", "ligne de totaux sans lignes UE, ignorée")
                )
    for plan in plans:
        plan.formation = None if plan.inferred else plan.title.formation
    return plans


def _text_index(plans: list[_Plan]) -> dict[str, set[tuple[str, int | None]]]:
    """Normalised text line -> {(formation, competence)} over the bodies of known formation."""
    index: dict[str, set[tuple[str, int | None]]] = defaultdict(set)
    for plan in plans:
        if plan.formation:
            for comp, text in plan.body.labelled:
                index[text].add((plan.formation, comp))
    return index


def _fmt(x: float | None) -> str:
    return fmt.number(x, 4, missing="?")


def _infer_formation(
    plan: _Plan, titles: list[Title], index: dict[str, set[tuple[str, int | None]]]
) -> tuple[str | None, str]:
    """Formation of a misplaced body: from its texts when they belong to one formation only."""
    found = set()
    for _, text in plan.body.labelled:
        formations = {f for f, _ in index.get(text, ())}
        if len(formations) == 1:  # lines shared by several formations prove nothing
            found |= formations
    if len(found) == 1:
        return found.pop(), "textes des compétences"
    before = titles[plan.index].formation
    after = titles[plan.index + 1].formation if plan.index + 1 < len(titles) else None
    if not found and before and before == after:
        return before, "titres qui l'entourent"
    return None, ""


def _identity(plan: _Plan, titles: list[Title], index) -> dict:
    title = plan.title
    if not plan.inferred:
        return dict(
            formation=title.formation,
            formation_name=title.formation_name,
            site=title.site,
            semester=title.semester,
            parcours=title.parcours,
        )
    sems = _body_semesters(plan.body)
    semester = sems.most_common(1)[0][0] if sems else None
    formation, how = _infer_formation(plan, titles, index)
    site = None
    for t in titles[plan.index : plan.index + 2]:
        if formation and t.formation == formation:
            site = t.site
            break
    plan.formation = formation
    return dict(
        formation=formation,
        formation_name=NAMES.get(formation or ""),
        site=site,
        semester=semester,
        parcours=None,
        how=how,
    )


def _infer_competences(plan: _Plan, index, issues: list[Issue]) -> None:
    rows = plan.rows
    # (1) position: unknown rows exactly filling a gap between labelled rows (or before the first).
    k = 0
    while k < len(rows):
        if rows[k].competence is not None:
            k += 1
            continue
        j = k
        while j < len(rows) and rows[j].competence is None:
            j += 1
        before = rows[k - 1].competence if k > 0 else 0
        after = rows[j].competence if j < len(rows) else None
        if after is not None and after - before - 1 == j - k:
            for n, row in enumerate(rows[k:j], start=1):
                row.competence, row.how = before + n, "position"
        k = j
    # (2) texts: the nearest text line printed under a single competence of the formation.
    for k, row in enumerate(rows):
        if row.competence is None and plan.formation:
            _competence_from_text(row, rows, k, plan.formation, index)
    for row in rows:
        if row.how == "position":
            issues.append(
                Issue(
                    row.line,
                    "competence_inferred",
                    (
                        f"étiquette UE perdue : compétence {row.competence} déduite de la place de la "
                        f"ligne entre les UE voisines"
                    ),
                )
            )
        elif row.how.startswith("text"):
            issues.append(
                Issue(
                    row.line,
                    "competence_inferred",
                    (
                        f"étiquette UE perdue : compétence {row.competence} déduite du texte "
                        f"« {row.how[5:]} », imprimé ailleurs sous cette seule compétence"
                    ),
                )
            )


def _competence_from_text(row: Row, rows: list[Row], k: int, formation: str, index) -> None:
    allowed: set[int] | None = None
    for text in reversed(row.texts):
        comps = {c for f, c in index.get(text, ()) if f == formation and c is not None}
        if not comps:
            continue
        if len(comps) > 1:
            allowed = comps if allowed is None else allowed & comps
            continue
        comp = comps.pop()
        lower = max((r.competence for r in rows[:k] if r.competence is not None), default=0)
        upper = min((r.competence for r in rows[k + 1 :] if r.competence is not None), default=99)
        if (allowed is None or comp in allowed) and lower < comp < upper:
            row.competence, row.how = comp, f"text:{text}"
        return


def _resolve_rows(rows: list[Row], issues: list[Issue]) -> None:
    """Row ending (A/B/C), own sums and the SAÉ run, from the arithmetic."""
    held = {id(r): _layouts_that_hold(_numbers(r.tokens)) for r in rows}
    families = Counter("B" if h == ["B"] else "AC" for h in held.values() if h)
    letters = Counter(h[0] for h in held.values() if len(h) == 1)
    for row in rows:
        nums = _numbers(row.tokens)
        h = held[id(row)]
        if len(h) == 1:
            row.layout, row.family, row.sum_ok = h[0], ("B" if h[0] == "B" else "AC"), True
        elif set(h) == {"A", "C"}:
            row.family, row.sum_ok = "AC", True
            issues.append(
                Issue(
                    row.line,
                    "layout_ambiguous",
                    (
                        "Total AOP nul : fins de ligne A et C confondues, seule la somme les départage "
                        "(identiques ici)"
                    ),
                    "info",
                )
            )
        else:
            shapes = _families(nums)
            if len(h) > 1:
                shapes = [f for f in shapes if f in {"B" if x == "B" else "AC" for x in h}]
            row.family = (
                shapes[0]
                if len(shapes) == 1
                else (families.most_common(1)[0][0] if families else shapes[0])
            )
            row.sum_ok = bool(h)
            if row.family == "B":
                row.layout = "B"
            elif letters and not h:  # same ending shape as the table's other rows
                row.layout = letters.most_common(1)[0][0]
            cells, total, _, _, aop = _ending(nums, row.family)
            if not h:
                extra = f" + AOP {aop.printed}" if row.layout == "C" else ""
                issues.append(
                    Issue(
                        row.line,
                        "sum_mismatch",
                        (
                            f"somme des valeurs {_fmt(sum(c.value for c in cells))}{extra} ≠ total "
                            f"imprimé {total.printed} : valeur perdue ou illisible"
                        ),
                    )
                )
            else:
                issues.append(
                    Issue(
                        row.line,
                        "layout_ambiguous",
                        (
                            f"fin de ligne ambiguë ({' ou '.join(h)}) : forme retenue d'après les autres "
                            f"lignes du tableau"
                        ),
                    )
                )
        _sae_run(row)


def _sae_run(row: Row) -> None:
    cells, total, _, ratio, aop = _ending(_numbers(row.tokens), row.family)
    if not total.value:
        return
    tol = _half_unit(ratio.printed) + EPS
    # Layout C: the unprinted AOP cell may count in the SAÉ share (it does in GB S1 rows such as
    # line 567); both readings are tried and the run must be the same length in all that fit.
    extras = [0.0, aop.value] if row.layout == "C" and aop.value else [0.0]
    fits = set()
    for extra in extras:
        acc = extra
        for k in range(len(cells) + 1):
            if k:
                acc += cells[k - 1].value
            if abs(acc / total.value - ratio.value) <= tol:
                fits.add(k)
    fits = sorted(fits)
    row.ratio_ok = bool(fits)
    if row.sum_ok and len(fits) == 1 and fits[0] > 0:
        row.sae_run = fits[0]


def _build_table(source: str, plan: _Plan, index) -> Table:
    ident = dict(plan.ident)
    how = ident.pop("how", "")
    title = plan.title
    table = Table(
        source=source,
        line=title.line if not plan.inferred else plan.rows[0].line,
        title=title.text,
        alternance=False,
        layout="grid",
        identity_inferred=plan.inferred,
        **ident,
    )
    issues = table.issues
    if plan.inferred:
        known = (
            f"formation {table.formation} d'après les {how}"
            if table.formation
            else "formation inconnue"
        )
        issues.append(
            Issue(
                table.line,
                "identity_inferred",
                (
                    f"corps de tableau imprimé sous le titre « {title.text} » (ligne {title.line}) : "
                    f"{plan.reason} ; tableau séparé, identité déduite du corps (semestre "
                    f"{_fmt(table.semester)} d'après les codes UE, {known}, site "
                    f"{table.site or 'inconnu'}, parcours inconnu)"
                ),
            )
        )
    for line, code, message in plan.orphans:
        issues.append(Issue(line, code, message))
    _infer_competences(plan, index, issues)
    rows = _keep_identified(plan.rows, issues)
    _resolve_rows(rows, issues)
    columns = _columns(rows, issues)
    for row in rows:
        _add_row(table, row, columns.get(id(row)))
    if plan.body.final:
        _final(table, plan.body.final, rows)
    modules = _modules(plan.body.header_lines)
    table.modules = modules
    _place_by_headers(table, modules, rows)
    if plan.body.final and plan.body.final.columns:
        _place_by_column_totals(table, plan.body.final, rows)
    lost = sorted(set(plan.body.leftover) | set(plan.body.lost))
    if lost:
        issues.append(
            Issue(
                lost[0],
                "values_lost",
                (
                    f"{len(lost)} ligne(s) de texte d'UE sans valeurs (lignes "
                    f"{', '.join(map(str, lost))}) : valeurs perdues à l'extraction"
                ),
                "info",
            )
        )
    table.status = _status(table, rows)
    return table


def _keep_identified(rows: list[Row], issues: list[Issue]) -> list[Row]:
    kept, seen = [], set()
    for row in rows:
        values = " ".join(t.printed for t in _numbers(row.tokens))
        if row.competence is None:
            issues.append(
                Issue(
                    row.line,
                    "competence_unknown",
                    (
                        f"ligne de valeurs sans étiquette UE ni compétence déductible, non enregistrée : "
                        f"« {values} »"
                    ),
                )
            )
        elif row.competence in seen:
            issues.append(
                Issue(
                    row.line,
                    "duplicate_competence",
                    (
                        f"compétence {row.competence} déjà présente dans ce tableau, ligne non "
                        f"enregistrée : « {values} »"
                    ),
                )
            )
        else:
            seen.add(row.competence)
            kept.append(row)
    return kept


def _cell_slots(row: Row) -> list[Token]:
    """The row's cells, empty cells included (the tokens before the row ending)."""
    n_cells = len(_ending(_numbers(row.tokens), row.family)[0])
    slots, seen = [], 0
    for tok in row.tokens:
        if tok.value is not None:
            if seen == n_cells:
                break
            seen += 1
        slots.append(tok)
    return slots


def _columns(rows: list[Row], issues: list[Issue]) -> dict[int, list[int]]:
    """Grid column of each value where empty cells survive and the row has the full width."""
    with_empties = [r for r in rows if any(t.value is None for t in _cell_slots(r))]
    if not with_empties:
        return {}
    widths = Counter(len(_cell_slots(r)) for r in rows)
    width = max(widths)
    if widths[width] < 2:
        return {}
    out = {}
    for row in rows:
        slots = _cell_slots(row)
        if len(slots) == width:
            out[id(row)] = [k for k, t in enumerate(slots, start=1) if t.value is not None]
        else:
            issues.append(
                Issue(
                    row.line,
                    "columns_uncertain",
                    (
                        f"{len(slots)} cases lues au lieu de {width} : des cases vides ont disparu, "
                        f"colonnes des valeurs inconnues"
                    ),
                    "info",
                )
            )
    return out


def _add_row(table: Table, row: Row, columns: list[int] | None) -> None:
    cells, total, ects, ratio, aop = _ending(_numbers(row.tokens), row.family)
    # Cells are coefficients (≤ 100); a UE total may exceed 100 (GB: 110 = cells + AOP).
    for value, problem in [(c.value, coefficient_problem) for c in cells] + [
        (ects.value, ects_problem)
    ]:
        if value is not None and (why := problem(value)):
            raise SourceError(table.source, row.line, why)
    sem = _fmt(row.semester or table.semester)
    table.ues.append(
        UE(
            code=f"UE {sem}.{row.competence}",
            competence=row.competence,
            name=row.name,
            line=row.competence_line or row.line,
            level=row.level,
            ects=ects.value,
            total=total.value,
            sae_share=ratio.value,
            sae_share_printed=True,
            aop_total=aop.value if aop else None,
            ects_line=row.line,
            total_line=row.line,
            sum_ok=row.sum_ok,
            ratio_ok=row.ratio_ok,
            row_layout=row.layout,
        )
    )
    for pos, cell in enumerate(cells, start=1):
        table.coefficients.append(
            Coefficient(
                competence=row.competence,
                position=pos,
                coefficient=cell.value,
                printed=cell.printed,
                line=row.line,
                kind=SAE if row.sae_run and pos <= row.sae_run else None,
                column=columns[pos - 1] if columns else None,
            )
        )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= ROUNDING + EPS


def _final(table: Table, final: Final, rows: list[Row]) -> None:
    table.declared_total, table.declared_ects = final.grand, final.ects
    table.declared_aop, table.totals_line = final.aop, final.line
    issues = table.issues
    if final.extras:
        issues.append(
            Issue(
                final.line,
                "stray_value",
                (
                    f"valeur isolée « {' '.join(final.extras)} » devant la ligne de totaux, ignorée "
                    f"(numéro de page ?)"
                ),
                "info",
            )
        )
    if not table.ues:
        return
    checks = [
        ("total général", final.grand, sum(u.total for u in table.ues)),
        ("total ECTS", final.ects, sum(u.ects for u in table.ues)),
    ]
    if final.aop is not None and all(u.aop_total is not None for u in table.ues):
        checks.append(("total AOP", final.aop, sum(u.aop_total for u in table.ues)))
    for label, declared, found in checks:
        if declared is not None and not _close(declared, found):
            issues.append(
                Issue(
                    final.line,
                    "totals_mismatch",
                    (
                        f"{label} imprimé {_fmt(declared)} ≠ somme des {len(table.ues)} ligne(s) UE "
                        f"présentes {_fmt(round(found, 4))}"
                    ),
                )
            )


def _status(table: Table, rows: list[Row]) -> str:
    if not table.ues:
        return table_status(False, False)
    if table.totals_line is None:
        return table_status(True, _complete_without_totals(table))
    totals_hold = not any(i.code == "totals_mismatch" for i in table.issues)
    return table_status(True, totals_hold and all(u.sum_ok for u in table.ues))


def _complete_without_totals(table: Table) -> bool:
    """No final line: UE 1..n all present, sums hold and the ECTS make a full semester (30)."""
    comps = [u.competence for u in table.ues]
    ok = (
        comps == list(range(1, len(comps) + 1))
        and all(u.sum_ok for u in table.ues)
        and _close(sum(u.ects for u in table.ues), 30)
    )
    if ok:
        table.issues.append(
            Issue(
                table.line,
                "totals_missing",
                (
                    f"ligne de totaux absente : tableau jugé complet car UE 1 à {len(comps)} présentes, "
                    f"sommes justes et 30 ECTS"
                ),
                "info",
            )
        )
    elif table.ues:
        table.issues.append(
            Issue(
                table.line,
                "totals_missing",
                "ligne de totaux absente : complétude non vérifiable",
                "info",
            )
        )
    return ok


# ---------------------------------------------------------------------------------------------
# Modules: shattered headers, column totals


def _modules(header_lines: list[tuple[int, str]]) -> list[Module]:
    if len(header_lines) < 10:
        return []
    joined, starts = "", []
    for line, raw in header_lines:
        starts.append((len(joined), line))
        joined += raw.replace(NBSP, " ").replace("\u2010", "-").replace("\u019f", "ti")
    found = list(MODULE_START.finditer(joined))
    modules: list[Module] = []
    for k, m in enumerate(found):
        if m.group(1) in TRAILING_HEADERS:
            break
        end = found[k + 1].start() if k + 1 < len(found) else len(joined)
        text = re.sub(r"\s+", " ", joined[m.start() : end]).strip()
        code = re.sub(r"\s+", " ", m.group(1)).strip()
        name = text[len(code) :].strip(" -") or None
        line = max(ln for pos, ln in starts if pos <= m.start())
        modules.append(
            Module(
                code=code,
                name=name if name != code else None,
                kind=module_kind(code, name),
                position=len(modules) + 1,
                semester_coefficient=None,
                line=line,
            )
        )
    return modules


def _place_by_headers(table: Table, modules: list[Module], rows: list[Row]) -> None:
    """A row with exactly one value per module column: each value's module is certain."""
    if not modules:
        return
    placed = 0
    for row in rows:
        coefs = [c for c in table.coefficients if c.line == row.line]
        if len(coefs) != len(modules):
            continue
        for c, m in zip(coefs, modules):
            c.module_code, c.module_name, c.kind = m.code, m.name, m.kind
            c.column = m.position
            placed += 1
    if not placed:
        table.issues.append(
            Issue(
                modules[0].line,
                "modules_unplaced",
                (
                    f"{len(modules)} colonnes de modules lues dans les en-têtes, mais aucune ligne UE n'a "
                    f"une valeur par colonne : valeurs non attribuables à un module"
                ),
                "info",
            )
        )


def _place_by_column_totals(table: Table, final: Final, rows: list[Row]) -> None:
    """Give each value its column when exactly one order-keeping placement fits every total."""
    cols = final.columns
    values = [[c for c in table.coefficients if c.line == r.line] for r in rows]
    if not values or any(len(v) > len(cols) for v in values):
        return
    solution = _unique_placement(cols, [[c.coefficient for c in v] for v in values])
    if solution is None:
        table.issues.append(
            Issue(
                final.line,
                "columns_not_unique",
                (
                    f"{len(cols)} totaux de colonnes imprimés : plusieurs placements des valeurs leur "
                    f"correspondent (ou aucun), colonnes laissées inconnues"
                ),
                "info",
            )
        )
        return
    for coefs, columns in zip(values, solution):
        for c, col in zip(coefs, columns):
            c.column = col


def _unique_placement(
    cols: list[float], rows: list[list[float]], budget: int = 200_000
) -> list[list[int]] | None:
    """Column (1-based) of every value, if exactly one placement fits; None otherwise."""
    n, m = len(rows), len(cols)
    memo: dict[tuple, int] = {}
    steps = [0]

    def moves(c: int, ptrs: tuple[int, ...]):
        """Feasible (rows whose next value goes in column c, pointers after) at column c."""
        open_rows = [i for i in range(n) if ptrs[i] < len(rows[i])]
        for mask in range(1 << len(open_rows)):
            chosen = [open_rows[b] for b in range(len(open_rows)) if mask >> b & 1]
            if abs(sum(rows[i][ptrs[i]] for i in chosen) - cols[c]) > EPS:
                continue
            nxt = tuple(p + (i in chosen) for i, p in enumerate(ptrs))
            if any(len(r) - p > m - c - 1 for p, r in zip(nxt, rows)):
                continue  # too few columns left for the values still to place
            yield chosen, nxt

    def count(c: int, ptrs: tuple[int, ...]) -> int:
        """Number of placements from here (capped at 2: only "exactly one" matters)."""
        if c == m:
            return int(all(p == len(r) for p, r in zip(ptrs, rows)))
        key = (c, ptrs)
        if key in memo:
            return memo[key]
        steps[0] += 1
        if steps[0] > budget:
            raise TimeoutError
        total = 0
        for _, nxt in moves(c, ptrs):
            total += count(c + 1, nxt)
            if total > 1:
                break
        memo[key] = min(total, 2)
        return memo[key]

    try:
        if count(0, (0,) * n) != 1:
            return None
    except TimeoutError:
        return None
    placement: list[list[int]] = [[] for _ in rows]
    ptrs = (0,) * n
    for c in range(m):  # walk the single solution (count() is memoised: no search again)
        chosen, ptrs = next((ch, nxt) for ch, nxt in moves(c, ptrs) if count(c + 1, nxt) == 1)
        for i in chosen:
            placement[i].append(c + 1)
    return placement
