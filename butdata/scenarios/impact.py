"""Impact of a scenario on students: one cohort, simulated on the origin and on the proposal with
the cohort engine of :mod:`butdata.grading.cohort`. Pass rates per UE, RCUE and decision before
/ after, and each module's weight in each UE.

This is the only module of :mod:`butdata.scenarios` that uses the grading engine, through its
public API (``build_structure``, ``draw_grades``, ``simulate_cohort``), so it is the one place
to adapt when that engine changes.

The same students sit both sides: a grade belongs to a module's identity (its origin code, kept
through renames; an added module's first code), so a student keeps the grade of R3.07 in both
simulations. A module added by the scenario gets drawn grades like the others; with grades
given as a matrix, its column must be there (see :func:`grade_columns`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from butdata.grading import cohort
from butdata.grading.rules import DEFAULT_RULES, Rules
from butdata.scenarios.diff import module_weights
from butdata.scenarios.proposal import Proposal, ScenarioError
from butdata.scenarios.scenario import Scenario


def grade_columns(scenario: Scenario) -> list[str]:
    """Columns of a grades matrix for :func:`impact`: the module identities (origin codes, then
    the codes of added modules), in order."""
    keys = [m.key for m in scenario.base.modules]
    return keys + [m.key for m in scenario.proposal.modules if m.key not in keys]


def _code_to_key(p: Proposal) -> dict[str, str]:
    return {m.code: m.key for m in p.modules}


@dataclass(frozen=True)
class Impact:
    """Before (origin) / after (proposal) on one cohort; shares in 0-1.

    ``ues``: table_id, ue, competence, mean, passed, adm, cmp, aj, pending — each ``_before`` and
    ``_after`` — and ``passed_delta``. ``rcues``: competence, mean / passed / below_floor before
    and after. ``decisions``: decision (ADM / PASD / AJ / null = pending or not decidable),
    count and share before and after. ``weights``: :func:`butdata.scenarios.diff.module_weights`.
    """

    n_students: int
    seed: int | None
    ues: pl.DataFrame
    rcues: pl.DataFrame
    decisions: pl.DataFrame
    weights: pl.DataFrame
    before: cohort.CohortResult
    after: cohort.CohortResult


def _simulate(
    p: Proposal, table_ids: Sequence[str], grades: np.ndarray, columns: Sequence[str], rules: Rules
) -> cohort.CohortResult:
    frames = p.frames()
    structure = cohort.build_structure(frames["coefficients"], frames["ues"], list(table_ids))
    keys = _code_to_key(p)
    index = {k: i for i, k in enumerate(columns)}
    missing = [c for c in structure.module_codes if keys[c] not in index]
    if missing:
        raise ScenarioError(f"notes absentes pour : {', '.join(missing)}")
    picked = grades[:, [index[keys[c]] for c in structure.module_codes]]
    return cohort.simulate_cohort(structure, picked, rules)


def _side_by_side(
    before: pl.DataFrame, after: pl.DataFrame, on: list[str], values: list[str]
) -> pl.DataFrame:
    left = before.select(*on, *(pl.col(v).alias(f"{v}_before") for v in values))
    right = after.select(*on, *(pl.col(v).alias(f"{v}_after") for v in values))
    return left.join(
        right, on=on, how="full", coalesce=True, nulls_equal=True, maintain_order="left"
    )


def impact(
    scenario: Scenario,
    n_students: int = 1000,
    seed: int | None = 0,
    mean: float = 10.0,
    spread: float = 3.0,
    per_module: Mapping[str, tuple[float, float]] | None = None,
    grades: np.ndarray | None = None,
    rules: Rules = DEFAULT_RULES,
) -> Impact:
    """Simulate one cohort on the origin and on the proposal.

    The cohort is ``grades`` when given (N × :func:`grade_columns`, NaN = not graded), else
    ``n_students`` drawn with ``seed`` (normal(mean, spread) per module, ``per_module``: module
    code → (mean, spread)); same seed, same students, same result.
    """
    columns = grade_columns(scenario)
    drawn = grades is None
    if grades is None:
        # the drawing needs only the module list: a structure of the identities, no UE
        identities = cohort.CohortStructure(
            tuple(scenario.origin), tuple(columns), (), np.zeros((len(columns), 0)), ()
        )
        keyed = {
            _code_to_key(scenario.proposal).get(c, c): v for c, v in (per_module or {}).items()
        }
        grades = cohort.draw_grades(
            identities, n_students, mean, spread, keyed, seed=seed, rules=rules
        )
    elif grades.ndim != 2 or grades.shape[1] != len(columns):
        raise ScenarioError(
            f"notes : {len(columns)} colonne(s) attendue(s) ({', '.join(columns)}), "
            f"reçu {grades.shape}"
        )
    before = _simulate(scenario.base, scenario.origin, grades, columns, rules)
    after = _simulate(scenario.proposal, scenario.origin, grades, columns, rules)
    ue_values = ["mean", "passed", "adm", "cmp", "aj", "pending"]
    ues = _side_by_side(before.ues, after.ues, ["table_id", "ue", "competence"], ue_values)
    ues = ues.with_columns(passed_delta=pl.col("passed_after") - pl.col("passed_before"))
    rcues = _side_by_side(
        before.rcues, after.rcues, ["competence"], ["mean", "passed", "below_floor", "pending"]
    )
    decisions = _side_by_side(before.decisions, after.decisions, ["decision"], ["count", "share"])
    return Impact(
        int(grades.shape[0]),
        seed if drawn else None,
        ues,
        rcues,
        decisions,
        module_weights(scenario.base, scenario.proposal),
        before,
        after,
    )
