"""Which module (grid column) each value belongs to, where it is certain: surviving empty cells,
shattered module headers, or the unique placement that fits every printed column total."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from butdata.model import Issue, Module, Table
from butdata.readers.text_grid.rows import Row
from butdata.readers.text_grid.tokens import EPS, NBSP, Final, Token, ending, numbers
from butdata.vocab import module_kind

MODULE_START = re.compile(
    r"(SA[ÉE] ?\d\.(?:[A-Z]{2,6}\.)?\d{2}|SAE\d?\.(?:STAGE|AOP)|R\d\.(?:[A-Z]{2,6}\.)?\d{2}|"
    r"Portfolio|PPP(?: \d)?|AOP [A-Z]{2,}?(?=R\d\.|SA|Portfolio|PPP|Total| |$)|"
    r"Total des coefficients|ECTS|rapport SAE/UE|Total AOP)"
)
TRAILING_HEADERS = ("Total des coefficients", "ECTS", "rapport SAE/UE", "Total AOP")


def _cell_slots(row: Row) -> list[Token]:
    """The row's cells, empty cells included (the tokens before the row ending)."""
    n_cells = len(ending(numbers(row.tokens), row.family)[0])
    slots, seen = [], 0
    for tok in row.tokens:
        if tok.value is not None:
            if seen == n_cells:
                break
            seen += 1
        slots.append(tok)
    return slots


def grid_columns(rows: list[Row], issues: list[Issue]) -> dict[int, list[int]]:
    """Grid column of each value where empty cells survive and the row has the full width
    (keyed by ``id(row)``)."""
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


def header_modules(header_lines: list[tuple[int, str]]) -> list[Module]:
    """Modules of the shattered headers: fragments joined, cut at module codes."""
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


def place_by_headers(table: Table, modules: list[Module], rows: list[Row]) -> None:
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


def place_by_column_totals(table: Table, final: Final, rows: list[Row]) -> None:
    """Give each value its column when exactly one order-keeping placement fits every total."""
    cols = final.columns
    values = [[c for c in table.coefficients if c.line == r.line] for r in rows]
    if not values or any(len(v) > len(cols) for v in values):
        return
    solution = unique_placement(cols, [[c.coefficient for c in v] for v in values])
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


def unique_placement(
    cols: list[float], rows: list[list[float]], budget: int = 200_000
) -> list[list[int]] | None:
    """Column (1-based) of every value, if exactly one placement fits; None otherwise."""
    n, m = len(rows), len(cols)
    memo: dict[tuple[int, tuple[int, ...]], int] = {}
    steps = [0]

    def moves(c: int, ptrs: tuple[int, ...]) -> Iterator[tuple[list[int], tuple[int, ...]]]:
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
