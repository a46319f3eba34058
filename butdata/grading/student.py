"""Grade simulation for one student: UE averages from module grades, then the jury rules of
:mod:`butdata.grading.jury` (codes, RCUEs, year decision), and the grade still needed.

A table is reduced once to a :class:`Prepared` selection (:mod:`butdata.grading.structure`:
which modules feed which UE, simplified mode, RCUE pairs, year); :func:`evaluate` is then plain
arithmetic on a grade mapping, so that a slider move or a cohort's reference loop costs little.

- UE average = Σ coef × grade / Σ coef over the UE's modules that have a grade; a UE with no
  graded module has no average (``None``), never 0. Bonus, capitalisation and jury decisions are
  applied by :func:`butdata.grading.jury.decide_year`.
- Needed grade: the smallest grade *x* that, given to every not-yet-graded module of the UE (or of
  both UEs of the RCUE), brings the average to the pass mark. ``needed_status`` says how to read it:
  ``"to_reach"`` (``needed`` = x), ``"acquired"`` (reached even with the minimum grade on every
  remaining module: "déjà acquis"), ``"impossible"`` (x > maximum grade), ``"no_module_left"``
  (nothing left to grade and below the pass mark), ``"no_module"`` (the UE has no coefficient at
  all). ``needed`` is ``None`` except for ``"to_reach"``. *x* aims at the pass mark itself
  (obtaining it always suffices); whether a mark is already reached follows the tolerance.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import polars as pl

from butdata import fmt
from butdata.fmt import ceil_to, floor_to
from butdata.grading import jury
from butdata.grading.jury import (
    ADM,
    AJ,
    CMP,
    PASD,
    CompetenceInput,
    UEInput,
    YearOutcome,
    effective_ue,
    pasd_minimum,
)
from butdata.grading.rules import DEFAULT_RULES, EPS, Rules
from butdata.grading.structure import (
    COARSE_MODE,
    COARSE_SHORTHANDS,
    MODULES_MODE,
    RES_SUFFIX,
    SAE_SUFFIX,
    WEIGHTS_SCHEMA,
    GradeError,
    Prepared,
    check_year,
    coarse_code,
    known_codes,
    normalise_grades,
    prepare,
    semester_weights,
    table_mode,
    table_ues,
)

__all__ = [
    "ADM",
    "AJ",
    "CMP",
    "COARSE_MODE",
    "COARSE_SHORTHANDS",
    "MODULES_MODE",
    "PASD",
    "RES_SUFFIX",
    "SAE_SUFFIX",
    "WEIGHTS_SCHEMA",
    "GradeError",
    "JuryInputs",
    "Needed",
    "Prepared",
    "SimulationResult",
    "ceil_to",
    "check_year",
    "coarse_code",
    "evaluate",
    "floor_to",
    "known_codes",
    "needed_grade",
    "normalise_grades",
    "pasd_minimum",
    "prepare",
    "semester_weights",
    "simulate",
    "simulate_prepared",
    "table_mode",
    "table_ues",
    "year_decision",
]

UE_CODE_ORDER = {AJ: 0, CMP: 1, ADM: 2}
DECISION_ORDER = {AJ: 0, PASD: 1, ADM: 2}

TO_REACH, ACQUIRED, IMPOSSIBLE, NO_MODULE_LEFT, NO_MODULE = (
    "to_reach",
    "acquired",
    "impossible",
    "no_module_left",
    "no_module",
)
NEEDED_LABELS = {
    ACQUIRED: "déjà acquis",
    IMPOSSIBLE: "impossible (> {max})",
    NO_MODULE_LEFT: "impossible (plus aucun module à noter)",
    NO_MODULE: "aucun module",
}
SINGLE_TABLE_RULE = (
    "Un seul semestre : pas de décision annuelle (indiquez aussi le tableau du semestre pair)."
)


# --------------------------------------------------------------------------- needed grade


@dataclass(frozen=True)
class Needed:
    """Smallest uniform grade on the remaining modules reaching the pass mark (see module doc)."""

    status: str
    value: float | None = None

    def label(self, rules: Rules = DEFAULT_RULES) -> str:
        """French text: the grade (rounded up to 0.01) or the status label."""
        if self.status == TO_REACH and self.value is not None:
            return fmt.number(ceil_to(self.value, 2), 2)
        return NEEDED_LABELS[self.status].format(max=fmt.number(rules.grade_max))

    def to_json(self, rules: Rules = DEFAULT_RULES) -> float | str:
        """A number when a grade is needed, else the French label."""
        if self.status == TO_REACH and self.value is not None:
            return ceil_to(self.value, 4)
        return self.label(rules)


class NeedPart(NamedTuple):
    """One UE in a needed-grade computation (``graded_sum`` = Σ coef × grade, graded modules)."""

    weight: float
    graded_sum: float
    graded_coef: float
    ungraded_coef: float
    bonus: float = 0.0
    capitalised: float | None = None


def needed_grade(parts: Sequence[Sequence[Any]], rules: Rules = DEFAULT_RULES) -> Needed:
    """Solve for a weighted mean of UE averages (one :class:`NeedPart`, or a tuple of its first
    fields, per UE). The mean is non-decreasing in the grade *x* given to every ungraded module
    (bonus, grade bounds and capitalisation included), so *x* is found by bisection."""
    ps = [NeedPart(*p) for p in parts]
    total_w = sum(p.weight for p in ps)
    if not ps or total_w <= 0 or any(p.graded_coef + p.ungraded_coef <= 0 for p in ps):
        return Needed(NO_MODULE)

    # The bisection below evaluates the mean ~55 times per UE on every slider move: its terms
    # are plain tuples and locals (the same operations in the same order: the same floats).
    floor, ceiling = rules.grade_min, rules.grade_max
    terms = [
        (p.graded_sum, p.ungraded_coef, p.graded_coef + p.ungraded_coef, p.bonus, p.capitalised)
        for p in ps
    ]
    weights = [p.weight for p in ps]

    def mean(x: float) -> float:
        s = 0.0
        for (graded_sum, ungraded, coef, bonus, capitalised), weight in zip(terms, weights):
            avg = (graded_sum + ungraded * x) / coef + bonus
            # min(max(avg, floor), ceiling)
            avg = floor if avg < floor else (ceiling if avg > ceiling else avg)
            if capitalised is not None and capitalised > avg:
                avg = capitalised
            s += weight * avg
        return s / total_w

    mark = rules.pass_mark
    if rules.reaches(mean(rules.grade_min), mark):
        return Needed(ACQUIRED)
    if not any(p.ungraded_coef > 0 and p.weight > 0 for p in ps):
        return Needed(NO_MODULE_LEFT)
    top = mean(rules.grade_max)
    if not rules.reaches(top, mark):
        return Needed(IMPOSSIBLE)
    # aim at the mark itself when possible; else (only the tolerance gets there) at reaching it
    ok: Callable[[float], bool] = (
        (lambda v: v >= mark - EPS) if top >= mark - EPS else (lambda v: rules.reaches(v, mark))
    )
    lo, hi = rules.grade_min, rules.grade_max
    for _ in range(200):
        mid = (lo + hi) / 2
        if mid in (lo, hi):
            break
        if ok(mean(mid)):
            hi = mid
        else:
            lo = mid
    return Needed(TO_REACH, hi)


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class JuryInputs:
    """What a student's record adds to the grades, keyed by UE code (``"UE31"``) or competence:
    capitalised UE averages, bonus points per UE, the jury's UE / RCUE / year decisions, and
    whether every BUT1 UE is validated (BUT2 → BUT3; ``None`` = unknown)."""

    capitalised: Mapping[str, float] = field(default_factory=dict)
    bonus: Mapping[str, float] = field(default_factory=dict)
    ue_jury: Mapping[str, str] = field(default_factory=dict)
    rcue_jury: Mapping[int, str] = field(default_factory=dict)
    year_jury: str | None = None
    but1_validated: bool | None = None

    def __post_init__(self) -> None:
        for ue, code in self.ue_jury.items():
            if code not in jury.UE_JURY_CODES:
                raise GradeError(
                    f"décision du jury inconnue pour l'UE {ue} : {code!r} (attendu : ADJ)"
                )
        for comp, code in self.rcue_jury.items():
            if code not in jury.RCUE_JURY_CODES:
                raise GradeError(
                    f"décision du jury inconnue pour le RCUE {comp} : {code!r} (attendu : ADJ ou AJ)"
                )
        if self.year_jury is not None and self.year_jury not in jury.YEAR_JURY_CODES:
            raise GradeError(f"code d'année inconnu : {self.year_jury!r}")


NO_INPUTS = JuryInputs()


# --------------------------------------------------------------------------- one student


@dataclass(frozen=True)
class UESums:
    graded_sum: float
    graded_coef: float
    ungraded_coef: float
    n_graded: int
    n_ungraded: int

    @property
    def average(self) -> float | None:
        return self.graded_sum / self.graded_coef if self.graded_coef > 0 else None


@dataclass(frozen=True)
class Evaluation:
    """Plain results of :func:`evaluate`: per UE of ``prepared.ues`` its sums, outcome and needed
    grade; per RCUE (``prepared.pairs`` order) its needed grade; the year outcome (``None`` for a
    single table) and the count of modules without grade."""

    sums: tuple[UESums, ...]
    ue_outcomes: tuple[jury.UEOutcome, ...]
    ue_needed: tuple[Needed | None, ...]
    rcue_needed: tuple[Needed | None, ...]
    outcome: YearOutcome | None
    n_ungraded: int


def evaluate(
    prepared: Prepared,
    grades: Mapping[str, float],
    rules: Rules = DEFAULT_RULES,
    inputs: JuryInputs = NO_INPUTS,
    with_needed: bool = True,
) -> Evaluation:
    """The single-student engine: grades (module key → grade, checked; a module not given is
    ungraded) to UE averages, codes, RCUEs, decision and needed grades."""
    sums = []
    for feeds in prepared.feeds:
        gs = gc = uc = 0.0
        ng = nu = 0
        for key, coef in feeds:
            g = grades.get(key)
            if g is None:
                uc += coef
                nu += 1
            else:
                gs += coef * g
                gc += coef
                ng += 1
        sums.append(UESums(gs, gc, uc, ng, nu))
    ue_inputs = [
        UEInput(
            s.average,
            ue,
            inputs.bonus.get(ue, 0.0),
            inputs.capitalised.get(ue),
            inputs.ue_jury.get(ue),
        )
        for (_, ue, _), s in zip(prepared.ues, sums)
    ]
    n_ungraded = sum(1 for m in prepared.modules if m not in grades)
    outcome = None
    outcomes: list[jury.UEOutcome | None] = [None] * len(prepared.ues)
    if len(prepared.table_ids) == 2:
        competences = [
            CompetenceInput(comp, ue_inputs[a], ue_inputs[b], inputs.rcue_jury.get(comp))
            for comp, a, b in prepared.pairs
        ]
        outcome = jury.decide_year(
            competences,
            rules,
            prepared.year,
            inputs.but1_validated,
            inputs.year_jury,
            n_ungraded,
            prepared.missing,
        )
        for (_, a, b), r in zip(prepared.pairs, outcome.rcues):
            outcomes[a], outcomes[b] = r.odd, r.even
    for j, ue in enumerate(ue_inputs):  # single table, or a UE whose competence has no RCUE
        if outcomes[j] is None:
            avg, cap, bonus = effective_ue(ue, rules)
            code = jury.ue_code(avg, False, False, ue.jury, rules)
            outcomes[j] = jury.UEOutcome(ue.ue, ue.average, avg, code, cap, bonus)
    ue_out = tuple(o for o in outcomes if o is not None)
    ue_needed: list[Needed | None] = [None] * len(sums)
    rcue_needed: list[Needed | None] = [None] * len(prepared.pairs)
    if with_needed:
        part = [
            NeedPart(1.0, s.graded_sum, s.graded_coef, s.ungraded_coef, o.bonus, _cap(u))
            for s, o, u in zip(sums, ue_out, ue_inputs)
        ]
        ue_needed = [needed_grade([p], rules) for p in part]
        w1, w2 = rules.rcue_weights
        rcue_needed = [
            needed_grade([part[a]._replace(weight=w1), part[b]._replace(weight=w2)], rules)
            for _, a, b in prepared.pairs
        ]
    return Evaluation(
        tuple(sums), ue_out, tuple(ue_needed), tuple(rcue_needed), outcome, n_ungraded
    )


def _cap(ue: UEInput) -> float | None:
    return ue.capitalised


# --------------------------------------------------------------------------- frames


@dataclass(frozen=True)
class SemesterResult:
    """One table. ``ues`` columns: see ``UE_RESULT_SCHEMA`` (rows in display order);
    ``ue_rows``: the same rows as dicts. The frame is built on first use: a slider move reads
    the rows, and three small frames cost ≈ 0.5 ms of every move."""

    table_id: str
    mode: str
    rows: tuple[tuple[Any, ...], ...]

    @functools.cached_property
    def ues(self) -> pl.DataFrame:
        return pl.DataFrame(list(self.rows), schema=UE_RESULT_SCHEMA, orient="row")

    @property
    def ue_rows(self) -> list[dict[str, Any]]:
        return [dict(zip(UE_RESULT_SCHEMA, r)) for r in self.rows]


@dataclass(frozen=True)
class SimulationResult:
    """``rcues`` columns: see ``RCUE_SCHEMA`` (empty for a single table). ``decision`` None =
    pending or not decidable; ``rule`` says why. ``outcome`` holds the jury details (decision of
    the rules alone, the jury's year code, ADSUP); ``provisional`` is true while a module has no
    grade."""

    semesters: list[SemesterResult]
    rcue_tuples: tuple[tuple[Any, ...], ...]
    decision: str | None
    rule: str
    rules: Rules = DEFAULT_RULES
    provisional: bool = False
    n_ungraded: int = 0
    year: int | None = None
    outcome: YearOutcome | None = None

    @functools.cached_property
    def rcues(self) -> pl.DataFrame:
        return pl.DataFrame(list(self.rcue_tuples), schema=RCUE_SCHEMA, orient="row")

    @property
    def rcue_rows(self) -> list[dict[str, Any]]:
        return [dict(zip(RCUE_SCHEMA, r)) for r in self.rcue_tuples]

    def to_json_dict(self) -> dict[str, Any]:
        """The CLI ``--json`` document (averages at 4 decimals as :meth:`Rules.shown` displays
        them, needed grades rounded up)."""
        mark = (self.rules.pass_mark,)
        rmarks = (self.rules.pass_mark, self.rules.rcue_floor)
        return {
            "semesters": [
                {
                    "table_id": s.table_id,
                    "ues": [
                        {
                            "competence": r["competence"],
                            "ue": r["ue"],
                            "average": _json_avg(r["average"], self.rules, mark),
                            "code": r["code"],
                            "needed": Needed(r["needed_status"], r["needed"]).to_json(self.rules),
                        }
                        for r in s.ue_rows
                    ],
                }
                for s in self.semesters
            ],
            "rcues": [
                {
                    "competence": r["competence"],
                    "average": _json_avg(r["average"], self.rules, rmarks),
                }
                for r in self.rcue_rows
            ],
            "decision": self.decision,
            "rule": self.rule,
            "provisional": self.provisional,
        }


UE_RESULT_SCHEMA = {
    "table_id": pl.String,
    "ue": pl.String,
    "competence": pl.Int64,
    "average": pl.Float64,
    "code": pl.String,
    "needed": pl.Float64,
    "needed_status": pl.String,
    "graded_coef": pl.Float64,
    "ungraded_coef": pl.Float64,
    "graded_sum": pl.Float64,
    "n_graded": pl.Int64,
    "n_ungraded": pl.Int64,
    "raw_average": pl.Float64,
    "bonus": pl.Float64,
    "capitalised": pl.Boolean,
}
RCUE_SCHEMA = {
    "competence": pl.Int64,
    "ue_odd": pl.String,
    "ue_even": pl.String,
    "average": pl.Float64,
    "validated": pl.Boolean,
    "needed": pl.Float64,
    "needed_status": pl.String,
    "code": pl.String,
}


def simulate(
    coefficients: pl.DataFrame,
    ues: pl.DataFrame,
    table_ids: Sequence[str],
    grades: Mapping[str, float],
    rules: Rules = DEFAULT_RULES,
    modes: Mapping[str, str] | None = None,
    inputs: JuryInputs = NO_INPUTS,
    year: int | None = None,
) -> SimulationResult:
    """Simulate one student on one table or a year (odd table, even table).

    ``grades``: module key → grade, already checked (see :func:`normalise_grades`); modules not
    given are ungraded. ``modes``: optional table_id → "modules" | "coarse" (default: auto).
    ``year``: B.U.T. year when known from the tables (else inferred from the UE codes).
    """
    return simulate_prepared(
        prepare(coefficients, ues, table_ids, modes, year), grades, rules, inputs
    )


def simulate_prepared(
    prepared: Prepared,
    grades: Mapping[str, float],
    rules: Rules = DEFAULT_RULES,
    inputs: JuryInputs = NO_INPUTS,
) -> SimulationResult:
    """:func:`simulate` on a :class:`Prepared` selection: :func:`evaluate`, as frames."""
    ev = evaluate(prepared, grades, rules, inputs)
    rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in prepared.table_ids}
    for (tid, ue, comp), s, o, need in zip(prepared.ues, ev.sums, ev.ue_outcomes, ev.ue_needed):
        n = need or Needed(NO_MODULE)
        rows[tid].append(
            (
                tid,
                ue,
                comp,
                o.average,
                o.code,
                n.value,
                n.status,
                s.graded_coef,
                s.ungraded_coef,
                s.graded_sum,
                s.n_graded,
                s.n_ungraded,
                o.raw,
                o.bonus,
                o.capitalised,
            )
        )
    semesters = [
        SemesterResult(tid, mode, tuple(rows[tid]))
        for tid, mode in zip(prepared.table_ids, prepared.modes)
    ]
    rcue_rows = []
    if ev.outcome is not None:
        for (comp, a, b), r, need in zip(prepared.pairs, ev.outcome.rcues, ev.rcue_needed):
            n = need or Needed(NO_MODULE)
            ue_a, ue_b = prepared.ues[a][1], prepared.ues[b][1]
            rcue_rows.append((comp, ue_a, ue_b, r.average, r.validated, n.value, n.status, r.code))
        decision, rule = ev.outcome.decision, ev.outcome.rule
    else:
        decision, rule = None, SINGLE_TABLE_RULE
    return SimulationResult(
        semesters,
        tuple(rcue_rows),
        decision,
        rule,
        rules,
        ev.n_ungraded > 0,
        ev.n_ungraded,
        prepared.year,
        ev.outcome,
    )


def year_decision(
    rcues: Sequence[tuple[int, float | None]],
    rules: Rules = DEFAULT_RULES,
    missing: Sequence[int] = (),
    year: int | None = None,
) -> tuple[str | None, str]:
    """Decision and rule text from RCUE averages alone (competence, average or None)."""
    competences = [
        CompetenceInput(c, UEInput(avg), UEInput(avg), recorded_average=avg) for c, avg in rcues
    ]
    out = jury.decide_year(competences, rules, year, missing=missing)
    return out.decision, out.rule


def _json_avg(x: float | None, rules: Rules, marks: Sequence[float]) -> float | None:
    return None if x is None else rules.shown(x, marks, 4)
