"""UE rows of the grid: what a row reads, its competence when the label is lost, its row ending
(A/B/C) and own sums, and the run of SAÉ values its printed ratio allows."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from butdata.model import Issue
from butdata.readers.text_grid.tokens import (
    EPS,
    Token,
    ending,
    families,
    half_unit,
    layouts_that_hold,
    numbers,
    shown,
)

# Normalised text line -> {(formation, competence)} over the bodies of known formation.
TextIndex = dict[str, set[tuple[str, int | None]]]


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


def infer_competences(
    rows: list[Row], formation: str | None, index: TextIndex, issues: list[Issue]
) -> None:
    """Competences of the rows whose label is lost, by position, then by text."""
    # (1) position: unknown rows exactly filling a gap between labelled rows (or before the first).
    k = 0
    while k < len(rows):
        if rows[k].competence is not None:
            k += 1
            continue
        j = k
        while j < len(rows) and rows[j].competence is None:
            j += 1
        before = rows[k - 1].competence if k > 0 else 0  # a labelled row (the run starts at k)
        after = rows[j].competence if j < len(rows) else None
        if after is not None and before is not None and after - before - 1 == j - k:
            for n, row in enumerate(rows[k:j], start=1):
                row.competence, row.how = before + n, "position"
        k = j
    # (2) texts: the nearest text line printed under a single competence of the formation.
    for k, row in enumerate(rows):
        if row.competence is None and formation:
            _competence_from_text(row, rows, k, formation, index)
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


def _competence_from_text(
    row: Row, rows: list[Row], k: int, formation: str, index: TextIndex
) -> None:
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


def keep_identified(rows: list[Row], issues: list[Issue]) -> list[Row]:
    """The rows with a competence, once each; the others are quoted in an issue."""
    kept, seen = [], set()
    for row in rows:
        values = " ".join(t.printed for t in numbers(row.tokens))
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


def resolve_rows(rows: list[Row], issues: list[Issue]) -> None:
    """Row ending (A/B/C), own sums and the SAÉ run, from the arithmetic."""
    held = {id(r): layouts_that_hold(numbers(r.tokens)) for r in rows}
    table_families = Counter("B" if h == ["B"] else "AC" for h in held.values() if h)
    letters = Counter(h[0] for h in held.values() if len(h) == 1)
    for row in rows:
        nums = numbers(row.tokens)
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
            shapes = families(nums)
            if len(h) > 1:
                shapes = [f for f in shapes if f in {"B" if x == "B" else "AC" for x in h}]
            row.family = (
                shapes[0]
                if len(shapes) == 1
                else (table_families.most_common(1)[0][0] if table_families else shapes[0])
            )
            row.sum_ok = bool(h)
            if row.family == "B":
                row.layout = "B"
            elif letters and not h:  # same ending shape as the table's other rows
                row.layout = letters.most_common(1)[0][0]
            cells, total, _, _, aop = ending(nums, row.family)
            if not h:
                extra = f" + AOP {aop.printed}" if row.layout == "C" and aop is not None else ""
                issues.append(
                    Issue(
                        row.line,
                        "sum_mismatch",
                        (
                            f"somme des valeurs {shown(sum(c.value for c in cells))}{extra} ≠ total "
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
    cells, total, _, ratio, aop = ending(numbers(row.tokens), row.family)
    if not total.value:
        return
    tol = half_unit(ratio.printed) + EPS
    # Layout C: the unprinted AOP cell may count in the SAÉ share (it does in GB S1 rows such as
    # line 567); both readings are tried and the run must be the same length in all that fit.
    extras = [0.0, aop.value] if row.layout == "C" and aop is not None and aop.value else [0.0]
    fits = set()
    for extra in extras:
        acc = extra
        for k in range(len(cells) + 1):
            if k:
                acc += cells[k - 1].value
            if abs(acc / total.value - ratio.value) <= tol:
                fits.add(k)
    runs = sorted(fits)
    row.ratio_ok = bool(runs)
    if row.sum_ok and len(runs) == 1 and runs[0] > 0:
        row.sae_run = runs[0]
