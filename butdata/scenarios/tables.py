"""A scenario as people read it: the proposal in the layout of the MCC (module rows, one column
per UE, then the totals, ECTS and SAÉ share rows), the same grid beside its origin with the
changed cells, the change list and the per-UE comparison — exact values as French text. The
page, the council's workbook and its PDF note all print these, so they always agree."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

import polars as pl

from butdata import fmt
from butdata.scenarios.diff import ue_diff
from butdata.scenarios.proposal import Proposal, show, show_pair
from butdata.scenarios.scenario import Scenario
from butdata.vocab import KIND_LABELS

TOTAL_ROW, ECTS_ROW, SHARE_ROW = "Total des coefficients", "Crédits ECTS", "Part des SAÉ"
CODE, MODULE, KIND, SEMESTER = "Code", "Module", "Type", "Coeff. semestre"


@dataclass(frozen=True)
class ModuleRow:
    key: str  # the module's identity (its origin code)
    code: str
    name: str | None
    kind: str | None
    cells: tuple[Decimal, ...]  # one per UE (0 = no coefficient)

    @property
    def total(self) -> Decimal:
        return sum(self.cells, Decimal(0))


@dataclass(frozen=True)
class MccTable:
    """One table of a proposal in the MCC layout (exact values)."""

    table_id: str
    title: str  # « Semestre 3 BUT QLIO QMI »: how the MCC (and the XLSX draft reader) name it
    year: str | None
    ues: tuple[str, ...]  # printed codes
    ue_names: tuple[str | None, ...]
    rows: tuple[ModuleRow, ...]
    totals: tuple[Decimal, ...]
    ects: tuple[Decimal | None, ...]
    sae: tuple[Decimal, ...]
    semester: int | None = None
    parcours: str | None = None

    @property
    def shares(self) -> tuple[float | None, ...]:
        return tuple(float(s / t) if t else None for s, t in zip(self.sae, self.totals))

    @property
    def total(self) -> Decimal:
        return sum(self.totals, Decimal(0))

    @property
    def ects_total(self) -> Decimal | None:
        if any(e is None for e in self.ects):
            return None
        return sum((e for e in self.ects if e is not None), Decimal(0))


def mcc_title(p: Proposal, table_id: str) -> str:
    """The title the MCC print: ``Semestre 3 BUT QLIO [par alternance] [parcours]``."""
    t = p.table(table_id)
    parts = [f"Semestre {t.semester or '?'} BUT {t.formation or '?'}"]
    if t.alternance:
        parts.append("par alternance")
    if t.parcours:
        parts.append(t.parcours)
    return " ".join(parts)


def mcc_table(p: Proposal, table_id: str) -> MccTable:
    ues = [u for u in p.ues if u.table_id == table_id]
    modules = sorted((m for m in p.modules if m.table_id == table_id), key=lambda m: m.position)
    rows = tuple(
        ModuleRow(
            m.key,
            m.code,
            m.name,
            m.kind,
            tuple(p.value(table_id, m.key, u.competence) for u in ues),
        )
        for m in modules
    )
    sums = p.ue_totals()
    info = p.table(table_id)
    return MccTable(
        table_id,
        mcc_title(p, table_id),
        info.year,
        tuple(u.code for u in ues),
        tuple(u.name for u in ues),
        rows,
        tuple(sums[(table_id, u.competence)][0] for u in ues),
        tuple(u.ects for u in ues),
        tuple(sums[(table_id, u.competence)][1] for u in ues),
        info.semester,
        info.parcours,
    )


class _Named(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str | None: ...
    @property
    def kind(self) -> str | None: ...


def module_change(a: _Named | None, b: _Named | None) -> list[str]:
    """What happened to a module between origin ``a`` and proposal ``b``, its coefficients
    apart (« module ajouté », « renommé (avant : R3.07) », « type : ressource → SAÉ »)."""
    if a is None:
        return ["module ajouté"]
    if b is None:
        return ["module supprimé"]
    what = []
    if a.code != b.code:
        what.append(f"renommé (avant : {a.code})")
    if a.name != b.name:
        what.append("intitulé changé")
    if a.kind != b.kind:
        what.append(f"type : {KIND_LABELS[a.kind]} → {KIND_LABELS[b.kind]}")
    return what


def _cell(value: Decimal) -> str:
    return "" if value == 0 else show(value)


def proposal_frame(t: MccTable) -> pl.DataFrame:
    """The table as French text, as the MCC print it: module rows (empty cell = no
    coefficient), then the totals, ECTS and SAÉ share rows."""
    rows = [
        [r.code, r.name or fmt.MISSING, KIND_LABELS[r.kind], show(r.total), *map(_cell, r.cells)]
        for r in t.rows
    ]
    rows.append([TOTAL_ROW, "", "", show(t.total), *map(show, t.totals)])
    rows.append([ECTS_ROW, "", "", show(t.ects_total), *(show(e) for e in t.ects)])
    rows.append([SHARE_ROW, "", "", "", *(fmt.percent(s) for s in t.shares)])
    columns = [CODE, MODULE, KIND, SEMESTER, *t.ues]
    return pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row")


# --------------------------------------------------------------------------- beside the origin


@dataclass(frozen=True)
class Comparison:
    """The proposal's grid of one table beside its origin: ``frame`` (French text; a changed
    cell reads « 1,0 (1,5) », new value then origin), ``changed``: (row, UE column) of the
    changed cells, ``rows_changed``: rows of added, removed or retyped modules."""

    frame: pl.DataFrame
    changed: list[tuple[int, str]] = field(default_factory=list)
    rows_changed: list[int] = field(default_factory=list)


def comparison(s: Scenario, table_id: str) -> Comparison:
    before, after = s.base, s.proposal
    ues = [u for u in after.ues if u.table_id == table_id]
    old = {m.key: m for m in before.modules if m.table_id == table_id}
    new = {m.key: m for m in after.modules if m.table_id == table_id}
    order = [m.key for m in sorted(new.values(), key=lambda m: m.position)]
    order += [k for k in old if k not in new]
    rows, changed, rows_changed = [], [], []
    for i, key in enumerate(order):
        a, b = old.get(key), new.get(key)
        m = b or a
        assert m is not None
        what = module_change(a, b)
        if what:
            rows_changed.append(i)
        cells = []
        for u in ues:
            v0 = before.value(table_id, key, u.competence) if a else Decimal(0)
            v1 = after.value(table_id, key, u.competence) if b else Decimal(0)
            if v0 == v1:
                cells.append(_cell(v1))
                continue
            t0, t1 = show_pair(v0, v1)
            cells.append(f"{t1} ({t0})")
            changed.append((i, u.code))
        if any(c == i for c, _ in changed) and not what:
            what.append("coefficients modifiés")
        rows.append([m.code, m.name or fmt.MISSING, KIND_LABELS[m.kind], *cells, ", ".join(what)])
    columns = [CODE, MODULE, KIND, *(u.code for u in ues), "Modification"]
    return Comparison(
        pl.DataFrame(rows, schema={c: pl.String for c in columns}, orient="row"),
        changed,
        rows_changed,
    )


def changes_frame(s: Scenario) -> pl.DataFrame:
    """The change list: n°, step (edits undone together share one), table, French text."""
    rows = [(i, c.step, c.table_id, c.text) for i, c in enumerate(s.change_list(), start=1)]
    return pl.DataFrame(
        rows,
        schema={"n°": pl.Int64, "étape": pl.Int64, "tableau": pl.String, "modification": pl.String},
        orient="row",
    )


UE_COLUMNS = (
    "UE",
    "ECTS origine",
    "ECTS proposition",
    "total origine",
    "total proposition",
    "part SAÉ origine",
    "part SAÉ proposition",
    "écart (points)",
)


def _points(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return fmt.MISSING
    delta = 100 * (after - before)
    sign = "+" if delta > 1e-9 else ""
    return f"{sign}{fmt.number(delta, 2)}"


def ue_frame(s: Scenario) -> pl.DataFrame:
    """Per UE, origin and proposal side by side as French text (« 41,25 % » → « 47,5 % »)."""
    d = ue_diff(s.base, s.proposal)
    rows = [
        [
            r["ue"],
            fmt.number(r["ects_before"]),
            fmt.number(r["ects_after"]),
            fmt.number(r["total_before"]),
            fmt.number(r["total_after"]),
            fmt.percent(r["share_before"]),
            fmt.percent(r["share_after"]),
            _points(r["share_before"], r["share_after"]),
        ]
        for r in d.iter_rows(named=True)
    ]
    return pl.DataFrame(rows, schema={c: pl.String for c in UE_COLUMNS}, orient="row")


def ue_changed_cells(s: Scenario) -> list[tuple[int, str]]:
    """(row, column) of ``ue_frame`` whose value changed (for highlighting)."""
    d = ue_diff(s.base, s.proposal)
    out = []
    pairs = (
        ("ects_before", "ects_after", "ECTS proposition"),
        ("total_before", "total_after", "total proposition"),
        ("share_before", "share_after", "part SAÉ proposition"),
    )
    for i, r in enumerate(d.iter_rows(named=True)):
        for b, a, column in pairs:
            if r[b] != r[a]:
                out.append((i, column))
    return out
