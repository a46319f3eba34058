"""Cohorts: the single-student engine's results for N students at once, vectorised.

A year (or one table) becomes a :class:`CohortStructure` built from the same
:class:`~butdata.grading.structure.Prepared` selection as one student (module keys, UEs, RCUE
pairs, year), plus a modules × UEs coefficient matrix. Grades are an N × modules float matrix
with NaN for "not graded" (grades within the bounds, as the engine requires). UE averages then
come from one matrix product per block of students (the grades with NaN as 0 stacked over the
graded indicator, @ coef: numerators and denominators), plus the bonus within the grade bounds;
RCUEs, codes and decisions are row operations on UE-major (UEs × students) arrays, under the
same :class:`Rules` (tolerance, thresholds, weights, final year, BUT1 condition).

:func:`cohort_arrays_loop` is the reference: it calls the single-student engine
(:func:`butdata.grading.student.evaluate`) once per student, so the tests that compare both
prove "cohort = single-student engine".
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
from threadpoolctl import ThreadpoolController

from butdata.grading import student as sim
from butdata.grading.cohort_tally import (
    DECISIONS,
    NONE_CODE,
    UE_CODES,
    CohortArrays,
    CohortResult,
    Tally,
    below,
    reached,
    result,
    summarise,
    tally,
)
from butdata.grading.jury import FINAL_YEAR, pasd_minimum
from butdata.grading.rules import DEFAULT_RULES, Rules
from butdata.grading.structure import (
    RES_SUFFIX,
    SAE_SUFFIX,
    GradeError,
    Prepared,
    prepare,
)
from butdata.vocab import module_kind

__all__ = [
    "DECISIONS",
    "NONE_CODE",
    "UE_CODES",
    "CohortArrays",
    "CohortResult",
    "CohortStructure",
    "build_structure",
    "cohort_arrays",
    "cohort_arrays_loop",
    "draw_grades",
    "read_grades_csv",
    "simulate_cohort",
    "simulate_cohort_loop",
    "structure_from",
]


@dataclass(frozen=True)
class CohortStructure:
    """What the cohort computation needs from one table or a year."""

    table_ids: tuple[str, ...]
    module_codes: tuple[str, ...]  # module keys (code, else printed name)
    ues: tuple[tuple[str, str, int], ...]  # (table_id, ue, competence), column order of ``coef``
    coef: np.ndarray  # modules × UEs, zero where a module does not feed a UE
    rcue_pairs: tuple[tuple[int, int, int], ...]  # (competence, odd UE column, even UE column)
    missing: tuple[int, ...] = ()  # competences that cannot form an RCUE (year not decidable)
    modes: tuple[str, ...] = ()
    year: int | None = None
    kinds: tuple[str | None, ...] = ()  # module kind per module (vocab codes), for drawing
    prepared: Prepared | None = None  # the single-student selection it was built from

    @property
    def is_year(self) -> bool:
        return len(self.table_ids) == 2


def build_structure(
    coefficients: pl.DataFrame,
    ues: pl.DataFrame,
    table_ids: Sequence[str],
    modes: Mapping[str, str] | None = None,
    year: int | None = None,
) -> CohortStructure:
    """Structure from frames shaped like the ``coefficients`` and ``ues`` views."""
    prepared = prepare(coefficients, ues, table_ids, modes, year)
    kinds: dict[str, str | None] = {}
    if "kind" in coefficients.columns:
        for code, name, kind in coefficients.select(
            "module_code",
            pl.col("module_name") if "module_name" in coefficients.columns else pl.lit(None),
            "kind",
        ).iter_rows():
            key = (code or "").strip() or (name or "").strip()
            kinds.setdefault(key, kind)
    return structure_from(prepared, kinds)


def structure_from(prepared: Prepared, kinds: Mapping[str, str | None] = {}) -> CohortStructure:
    """Structure of a prepared selection (``kinds``: module key → kind, when known)."""
    codes = prepared.modules
    row = {c: i for i, c in enumerate(codes)}
    coef = np.zeros((len(codes), len(prepared.ues)))
    for j, feeds in enumerate(prepared.feeds):
        for key, c in feeds:
            coef[row[key], j] += c
    module_kinds = tuple(_kind(c, kinds) for c in codes)
    return CohortStructure(
        prepared.table_ids,
        codes,
        prepared.ues,
        coef,
        prepared.pairs,
        prepared.missing,
        prepared.modes,
        prepared.year,
        module_kinds,
        prepared,
    )


def _kind(code: str, kinds: Mapping[str, str | None]) -> str | None:
    if code.endswith(SAE_SUFFIX):
        return "sae"
    if code.endswith(RES_SUFFIX):
        return "ressource"
    return kinds.get(code) or module_kind(code)


# --------------------------------------------------------------------------- grades


def draw_grades(
    structure: CohortStructure,
    n_students: int,
    mean: float = 10.0,
    spread: float = 3.0,
    per_module: Mapping[str, tuple[float, float]] | None = None,
    seed: int | None = 0,
    ungraded_rate: float = 0.0,
    rules: Rules = DEFAULT_RULES,
    per_kind: Mapping[str, tuple[float, float]] | None = None,
) -> np.ndarray:
    """N × modules grades (float32), normal(mean, spread) per module, clipped to the grade bounds.

    ``per_kind``: module kind (``"sae"``, ``"ressource"``…, see :mod:`butdata.vocab`) → (mean,
    spread); ``per_module``: module key → (mean, spread), overriding both. ``ungraded_rate``:
    share of grades left out (NaN), to simulate a year in progress. Same seed, same matrix.
    """
    rng = np.random.default_rng(seed)
    m = len(structure.module_codes)
    means, spreads = np.full(m, float(mean)), np.full(m, float(spread))
    kinds = structure.kinds or (None,) * m
    for kind, (mu, sd) in (per_kind or {}).items():
        for i, k in enumerate(kinds):
            if k == kind:
                means[i], spreads[i] = mu, sd
    for code, (mu, sd) in (per_module or {}).items():
        if code not in structure.module_codes:
            raise GradeError(f"module inconnu : {code}")
        i = structure.module_codes.index(code)
        means[i], spreads[i] = mu, sd
    grades = np.clip(
        rng.normal(means, spreads, size=(n_students, m)), rules.grade_min, rules.grade_max
    )
    if ungraded_rate > 0:
        grades[rng.random(grades.shape) < ungraded_rate] = np.nan
    # Drawn grades have no "true" decimal value, so float32 loses nothing and halves the memory
    # the computation reads; the drawn values ARE the float32 ones (the loop reference and the
    # float64 borderline recheck read exactly them). Grades read from a CSV stay float64.
    return grades.astype(np.float32)


def read_grades_csv(
    path: Any,
    structure: CohortStructure,
    rules: Rules = DEFAULT_RULES,
    extra_columns: Sequence[str] = (),
    name: str | None = None,
) -> np.ndarray:
    """Grades from a CSV (a path, or a file-like object named ``name``): one row per student,
    one column per module key (a missing column or an empty cell = not graded; decimal commas
    accepted; ``,`` or ``;``). ``extra_columns`` (e.g. a student id) are ignored; any other
    unknown column or an out-of-range grade raises GradeError naming the file and line."""
    where = name or (str(path) if isinstance(path, (str, Path)) else "le fichier")
    try:
        if isinstance(path, (str, Path)):
            raw = Path(path).read_bytes()
        else:
            raw = path.read() if hasattr(path, "read") else bytes(path)
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else str(raw)
        first = text.splitlines()[0] if text.strip() else ""
        sep = ";" if first.count(";") > first.count(",") else ","
        frame = pl.read_csv(io.StringIO(text), infer_schema=False, separator=sep)
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        raise GradeError(f"{where} : fichier CSV illisible ({exc})") from None
    unknown = [
        c for c in frame.columns if c not in structure.module_codes and c not in extra_columns
    ]
    if unknown:
        raise GradeError(
            f"colonne(s) inconnue(s) dans {where} : {', '.join(unknown)} "
            "(attendu : un code de module par colonne)"
        )
    grades = np.full((frame.height, len(structure.module_codes)), np.nan)
    for j, code in enumerate(structure.module_codes):
        if code not in frame.columns:
            continue
        cells = frame[code].str.strip_chars().str.replace(",", ".")
        values = cells.cast(pl.Float64, strict=False)
        bad = values.is_null() & cells.is_not_null() & (cells != "")
        if bad.any():
            raise GradeError(
                f"note illisible dans {where}, colonne {code}, ligne "
                f"{int(bad.arg_true()[0]) + 2} : {cells.filter(bad)[0]!r}"
            )
        col = values.to_numpy().astype(float)
        out = (col < rules.grade_min) | (col > rules.grade_max)
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise GradeError(
                f"note hors de l'intervalle {rules.grade_min:g}-{rules.grade_max:g} dans "
                f"{where}, colonne {code}, ligne {i + 2} : {col[i]:g}"
            )
        grades[:, j] = col
    return grades


# --------------------------------------------------------------------------- computation

# float32 halves the memory traffic of the matrix product (the bulk of the time). Its error on an
# average is below 1e-4 for any realistic module count, so every student with an average within
# BORDERLINE of a threshold is recomputed in float64: codes and decisions are exact.
BORDERLINE = 1e-3

# Averages are computed in blocks of students, so that a block's temporaries (grades × 4 bytes,
# twice, and the product) stay in the CPU cache while codes and decisions are derived from them.
BLOCK = 8192


class _Plan:
    """What the computation needs from the structure, prepared once per call. Inside it
    the per-student arrays are UE-major (UEs × students): every per-student step is then a few
    row-wise operations on long contiguous rows, several times faster than reductions across
    the 4-12 columns of a students × UEs array."""

    def __init__(self, structure: CohortStructure, rules: Rules, but1_validated: bool | None):
        self.rules = rules
        self.n_ue, self.n_rcue = len(structure.ues), len(structure.rcue_pairs)
        self.n_modules = structure.coef.shape[0]
        # modules × UEs (a column of ones for the graded count would cost more than its own
        # product: 9 columns run ~35 % slower than 8 in the BLAS kernel, measured)
        self.weights = {dt: np.ascontiguousarray(structure.coef, dtype=dt) for dt in (_F32, _F64)}
        self.ones = {dt: np.ones(self.n_modules, dtype=dt) for dt in (_F32, _F64)}
        self.odd = np.array([p[1] for p in structure.rcue_pairs], dtype=np.intp)
        self.even = np.array([p[2] for p in structure.rcue_pairs], dtype=np.intp)
        # UE -> row of its RCUE in the "RCUE reached" mask; n_rcue = an extra all-False row
        self.rcue_of_ue = np.full(self.n_ue, self.n_rcue, dtype=np.intp)
        for k, (_, odd, even) in enumerate(structure.rcue_pairs):
            self.rcue_of_ue[odd] = self.rcue_of_ue[even] = k
        self.decides = structure.is_year and not structure.missing and self.n_rcue > 0
        self.pasd_minimum = pasd_minimum(self.n_rcue, rules) if self.n_rcue else 0
        # No passage by right after the final year, nor into BUT3 without every BUT1 UE.
        self.pasd_possible = structure.year != FINAL_YEAR and not (
            structure.year == 2 and but1_validated is False
        )
        # The float32 pass compares with each threshold moved by ±BORDERLINE: where both sides
        # agree they give the exact answer (the float32 error is far smaller), where they differ
        # the student is recomputed in float64 and compared with the exact threshold.
        self.pass_mark = rules.lowest_reaching(rules.pass_mark)
        self.rcue_floor = rules.lowest_reaching(rules.rcue_floor)


_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def _stacked(
    plan: _Plan, grades: np.ndarray, dtype: np.dtype[Any], work: np.ndarray | None = None
) -> np.ndarray:
    """The matrix of the averages' one product: the grades with NaN as 0 stacked over the graded
    indicator, (2 × students) × modules in ``dtype`` (into ``work`` when given)."""
    n = grades.shape[0]
    stacked = np.empty((2 * n, plan.n_modules), dtype) if work is None else work[: 2 * n]
    zeroed, graded = stacked[:n], stacked[n:]
    if plan.rules.grade_min >= 0:  # grades are within the bounds: fmax(NaN, 0) = 0, one pass
        np.fmax(grades, 0, out=zeroed)
    else:
        np.copyto(zeroed, grades)
        zeroed[np.isnan(grades)] = 0
    np.equal(grades, grades, out=graded, casting="unsafe")  # 1.0 where graded (NaN != NaN)
    return stacked


def _averages(
    plan: _Plan,
    grades: np.ndarray,
    dtype: np.dtype[Any],
    work: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """UE averages then RCUE averages, (UEs + RCUEs) × students in ``dtype``, NaN where none;
    and each student's number of graded modules. ``work``: a (2 × students) × modules buffer
    of ``dtype``, reused from block to block.

    ONE matrix product gives the numerators and denominators: the grades with NaN as 0 stacked
    over the graded indicator (2 × students rows), times the coefficients. The students ×
    modules orientation of that product is ~1.9x faster than the UE-major one (measured)."""
    n = grades.shape[0]
    stacked = _stacked(plan, grades, dtype, work)
    product = stacked @ plan.weights[dtype]  # 2n × UEs: numerators over denominators
    out = np.empty((plan.n_ue + plan.n_rcue, n), dtype)
    ue, rcue = out[: plan.n_ue], out[plan.n_ue :]
    with np.errstate(invalid="ignore"):  # 0 / 0 = NaN: no graded module, no average
        np.divide(product[:n].T, product[n:].T, out=ue)
    rules = plan.rules
    if rules.bonus:  # same order as the engine: average + bonus, then the grade bounds
        ue += dtype.type(rules.bonus)
        np.clip(ue, rules.grade_min, rules.grade_max, out=ue)
    w1, w2 = rules.rcue_weights  # same operations as the engine: (w1*a + w2*b) / (w1 + w2)
    np.multiply(ue[plan.odd], w1, out=rcue)
    rcue += w2 * ue[plan.even]
    rcue /= w1 + w2
    return out, stacked[n:] @ plan.ones[dtype]  # graded count: ~10x faster than isnan().any(1)


def _codes_decisions(
    plan: _Plan,
    adm: np.ndarray,
    reach: np.ndarray,
    ue_none: np.ndarray,
    insufficient: np.ndarray,
    pending: np.ndarray,
    code: np.ndarray,
    decision: np.ndarray,
) -> None:
    """UE codes (UEs × students, int8) into ``code`` and year decisions (int8) into
    ``decision``, from the comparisons: ``adm`` (UEs × students) UE average reaches the pass
    mark; ``reach`` (RCUEs + 1 × students, last row False) RCUE reaches it; ``ue_none`` no UE
    average; ``insufficient`` (students) an RCUE under the floor; ``pending`` an RCUE missing."""
    # ADM (2) = adm + 1; CMP (1) = RCUE reached without adm; AJ (0); none (-1) = no average
    # (then adm and the RCUE are False: NaN propagates to the RCUE).
    np.bitwise_or(adm.view(np.int8), reach[plan.rcue_of_ue].view(np.int8), out=code)
    code += adm.view(np.int8)
    code -= ue_none.view(np.int8)
    if not plan.decides:
        decision.fill(NONE_CODE)
        return
    passed = reach[: plan.n_rcue].view(np.int8).sum(axis=0, dtype=np.int8)
    adm_year = np.equal(passed, plan.n_rcue).view(np.int8)
    adm_year += adm_year  # ADM (2) where every RCUE is reached
    if plan.pasd_possible:  # PASD (1) / AJ (0)
        pasd = np.greater_equal(passed, plan.pasd_minimum)
        pasd &= ~insufficient
        np.maximum(adm_year, pasd.view(np.int8), out=decision)
    else:
        np.copyto(decision, adm_year)
    np.copyto(decision, NONE_CODE, where=pending)


def _decide_exact(plan: _Plan, ue: np.ndarray, rcue: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and decisions of averages compared with the exact thresholds."""
    rules, n = plan.rules, ue.shape[1]
    reach = np.zeros((plan.n_rcue + 1, n), dtype=bool)  # NaN compares False
    reach[: plan.n_rcue] = reached(rcue, rules.pass_mark, rules)
    code, decision = np.empty(ue.shape, np.int8), np.empty(n, np.int8)
    _codes_decisions(
        plan,
        reached(ue, rules.pass_mark, rules),
        reach,
        np.isnan(ue),
        np.asarray(below(rcue, rules.rcue_floor, rules).any(axis=0)),
        np.asarray(np.isnan(rcue).any(axis=0)),
        code,
        decision,
    )
    return code, decision


def _decide_fast(
    plan: _Plan, averages: np.ndarray, code: np.ndarray, decision: np.ndarray
) -> np.ndarray:
    """Codes and decisions of a float32 block (into ``code``, ``decision``); returns the
    students (columns) too near a threshold for float32, to be recomputed in float64."""
    n_ue, n = plan.n_ue, averages.shape[1]
    kind = averages.dtype.type
    # hi / lo: above the pass mark moved up / down by BORDERLINE (NaN: False in both)
    hi = np.empty((averages.shape[0] + 1, n), dtype=bool)
    hi[-1] = False  # the "no RCUE" row of the UEs outside any RCUE
    np.greater(averages, kind(plan.pass_mark + BORDERLINE), out=hi[:-1])
    near = np.greater(averages, kind(plan.pass_mark - BORDERLINE))
    near ^= hi[:-1]
    rcue = averages[n_ue:]
    floor_lo = np.greater(rcue, kind(plan.rcue_floor - BORDERLINE))
    floor_near = np.less_equal(rcue, kind(plan.rcue_floor + BORDERLINE))
    floor_near &= floor_lo
    # below the floor: not above floor_lo (a missing RCUE too, but its decision is pending)
    insufficient = ~floor_lo.all(axis=0)
    pending = np.isnan(rcue).any(axis=0)
    ue_none = np.isnan(averages[:n_ue])
    _codes_decisions(plan, hi[:n_ue], hi[n_ue:], ue_none, insufficient, pending, code, decision)
    near_any = near.any(axis=0)
    near_any |= floor_near.any(axis=0)
    return np.flatnonzero(near_any)


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()  # inspecting the loaded libraries takes ~1 ms: once


def _run(
    structure: CohortStructure, grades: np.ndarray, rules: Rules, but1_validated: bool | None
) -> tuple[CohortArrays, Tally]:
    """Vectorised computation (no per-student Python code) with one BLAS thread: the products
    are small (a block × ~30 modules × ~8 UEs), so a second thread saves ~7 % on an idle machine
    but waits whenever the other core is busy (2 to 8 times slower, measured). The limit is
    process-wide while it lasts: this module is for batch use (benchmarks, commands)."""
    _check_shape(structure, grades)
    with _blas().limit(limits=1, user_api="blas"):
        return _run_limited(structure, grades, _Plan(structure, rules, but1_validated))


def _run_limited(
    structure: CohortStructure, grades: np.ndarray, plan: _Plan
) -> tuple[CohortArrays, Tally]:
    """Averages, codes and decisions block by block into preallocated UE-major arrays, then the
    borderline students in float64, then tallies on whole rows. Returns the arrays as
    students × UEs views, with their tally."""
    n = grades.shape[0]
    averages = np.empty((plan.n_ue + plan.n_rcue, n))
    code = np.empty((plan.n_ue, n), np.int8)
    decision = np.empty(n, np.int8)
    provisional = np.empty(n, bool)
    near_parts = [np.empty(0, dtype=np.intp)]
    work = np.empty((2 * min(n, BLOCK), plan.n_modules), _F32)
    for i in range(0, n, BLOCK):
        block = slice(i, i + BLOCK)
        fast, n_graded = _averages(plan, grades[block], _F32, work=work)
        averages[:, block] = fast
        # counts are exact in float32 (< 2**24 modules)
        np.less(n_graded, plan.n_modules, out=provisional[block])
        near_parts.append(i + _decide_fast(plan, fast, code[:, block], decision[block]))
    near = np.concatenate(near_parts)
    if near.size:  # a few students: one float64 pass for all blocks
        exact = _averages(plan, grades[near], _F64)[0]
        averages[:, near] = exact
        code[:, near], decision[near] = _decide_exact(plan, exact[: plan.n_ue], exact[plan.n_ue :])
    ue, rcue = averages[: plan.n_ue], averages[plan.n_ue :]
    arrays = CohortArrays(ue.T, code.T, rcue.T, decision, provisional)
    return arrays, tally(ue, code, rcue, decision, provisional, plan.rules)


def cohort_arrays(
    structure: CohortStructure,
    grades: np.ndarray,
    rules: Rules = DEFAULT_RULES,
    but1_validated: bool | None = None,
) -> CohortArrays:
    """Per-student results, vectorised."""
    return _run(structure, grades, rules, but1_validated)[0]


def cohort_arrays_loop(
    structure: CohortStructure,
    grades: Any,
    rules: Rules = DEFAULT_RULES,
    but1_validated: bool | None = None,
) -> CohortArrays:
    """Reference implementation: the single-student engine, once per student (slow on purpose;
    for tests and benchmarks)."""
    if structure.prepared is None:
        raise ValueError("structure without its prepared selection (use build_structure)")
    prepared = structure.prepared
    rows = grades.tolist() if isinstance(grades, np.ndarray) else [list(r) for r in grades]
    inputs = sim.JuryInputs(but1_validated=but1_validated)
    nan = float("nan")
    ue_avgs, codes, rcues, decisions, provisional = [], [], [], [], []
    for student in rows:
        given = {c: g for c, g in zip(structure.module_codes, student) if g == g}  # not NaN
        ev = sim.evaluate(prepared, given, rules, inputs, with_needed=False)
        ue_avgs.append([nan if o.average is None else o.average for o in ev.ue_outcomes])
        codes.append(
            [NONE_CODE if o.code is None else UE_CODES.index(o.code) for o in ev.ue_outcomes]
        )
        out = ev.outcome
        rcues.append(
            [] if out is None else [nan if r.average is None else r.average for r in out.rcues]
        )
        d = None if out is None else out.decision
        decisions.append(NONE_CODE if d is None else DECISIONS.index(d))
        provisional.append(ev.n_ungraded > 0)
    n = len(rows)
    return CohortArrays(
        np.array(ue_avgs, dtype=float).reshape(n, len(structure.ues)),
        np.array(codes, dtype=np.int8).reshape(n, len(structure.ues)),
        np.array(rcues, dtype=float).reshape(n, len(structure.rcue_pairs)),
        np.array(decisions, dtype=np.int8),
        np.array(provisional, dtype=bool),
    )


def simulate_cohort(
    structure: CohortStructure,
    grades: np.ndarray,
    rules: Rules = DEFAULT_RULES,
    but1_validated: bool | None = None,
) -> CohortResult:
    """Pass rates of a cohort (vectorised). ``grades``: N × len(module_codes), NaN = not graded."""
    arrays, t = _run(structure, grades, rules, but1_validated)
    return result(structure.ues, structure.rcue_pairs, t, arrays)


def simulate_cohort_loop(
    structure: CohortStructure,
    grades: Any,
    rules: Rules = DEFAULT_RULES,
    but1_validated: bool | None = None,
) -> CohortResult:
    """Same result as :func:`simulate_cohort`, computed student by student by the engine."""
    arrays = cohort_arrays_loop(structure, grades, rules, but1_validated)
    return summarise(structure.ues, structure.rcue_pairs, arrays, rules)


def _check_shape(structure: CohortStructure, grades: np.ndarray) -> None:
    if grades.ndim != 2 or grades.shape[1] != len(structure.module_codes):
        raise ValueError(f"grades must be N × {len(structure.module_codes)}, got {grades.shape}")
