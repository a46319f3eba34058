"""Cohorts: the same rules as :mod:`butdata.grading.student`, for N students at once.

A year (or one table) becomes a :class:`CohortStructure`: module codes, UEs, and a modules × UEs
coefficient matrix. Grades are an N × modules float matrix with NaN for "not graded". UE averages
are then two matrix products (grades @ coef and graded-mask @ coef); RCUEs, codes and decisions are
row operations on UE-major (UEs × students) arrays. ``simulate_cohort_loop`` is the same
computation in plain Python, kept as a reference for tests and benchmarks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl
from threadpoolctl import ThreadpoolController

from butdata.grading import student as sim
from butdata.grading.rules import DEFAULT_RULES, EPS, Rules

# Integer codes in the per-student arrays; -1 = none / pending.
NONE_CODE = -1
UE_CODES = (sim.AJ, sim.CMP, sim.ADM)  # index = code
DECISIONS = (sim.AJ, sim.PASD, sim.ADM)


@dataclass(frozen=True)
class CohortStructure:
    """What the cohort computation needs from one table or a year."""

    table_ids: tuple[str, ...]
    module_codes: tuple[str, ...]
    ues: tuple[tuple[str, str, int], ...]  # (table_id, ue, competence), column order of ``coef``
    coef: np.ndarray  # modules × UEs, zero where a module does not feed a UE
    rcue_pairs: tuple[tuple[int, int, int], ...]  # (competence, odd UE column, even UE column)
    missing: tuple[int, ...] = ()  # competences that cannot form an RCUE (year not decidable)
    modes: tuple[str, ...] = ()

    @property
    def is_year(self) -> bool:
        return len(self.table_ids) == 2


def build_structure(
    coefficients: pl.DataFrame,
    ues: pl.DataFrame,
    table_ids: Sequence[str],
    modes: Mapping[str, str] | None = None,
) -> CohortStructure:
    """Structure from frames shaped like the ``coefficients`` and ``ues`` views."""
    weights, ue_lists, used_modes = [], [], []
    for tid in table_ids:
        w, mode = sim.semester_weights(coefficients, ues, tid, (modes or {}).get(tid, "auto"))
        weights.append(w)
        ue_lists.append(sim.table_ues(ues, tid))
        used_modes.append(mode)
    w = pl.concat(weights)
    codes = tuple(dict.fromkeys(w["module_code"].to_list()))
    ue_rows = [r for frame in ue_lists for r in frame.iter_rows()]
    col = {(t, u): j for j, (t, u, _) in enumerate(ue_rows)}
    row = {c: i for i, c in enumerate(codes)}
    coef = np.zeros((len(codes), len(ue_rows)))
    for t, u, _, m, c in w.iter_rows():
        coef[row[m], col[(t, u)]] += c

    pairs, missing = [], []
    if len(table_ids) == 2:
        by_comp: list[dict[int, list[int]]] = [{}, {}]
        for j, (t, _, comp) in enumerate(ue_rows):
            by_comp[table_ids.index(t)].setdefault(comp, []).append(j)
        for comp in sorted(set(by_comp[0]) | set(by_comp[1])):
            a, b = by_comp[0].get(comp, []), by_comp[1].get(comp, [])
            if len(a) == 1 and len(b) == 1 and coef[:, a[0]].any() and coef[:, b[0]].any():
                pairs.append((comp, a[0], b[0]))
            else:
                missing.append(comp)
    return CohortStructure(
        tuple(table_ids),
        codes,
        tuple(ue_rows),
        coef,
        tuple(pairs),
        tuple(missing),
        tuple(used_modes),
    )


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
) -> np.ndarray:
    """N × modules grades (float32), normal(mean, spread) per module, clipped to the grade bounds.

    ``per_module``: code → (mean, spread) overriding the global values. ``ungraded_rate``: share
    of grades left out (NaN), to simulate a year in progress. Same seed, same matrix.
    """
    rng = np.random.default_rng(seed)
    m = len(structure.module_codes)
    means, spreads = np.full(m, float(mean)), np.full(m, float(spread))
    for code, (mu, sd) in (per_module or {}).items():
        if code not in structure.module_codes:
            raise sim.GradeError(f"module inconnu : {code}")
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
    path,
    structure: CohortStructure,
    rules: Rules = DEFAULT_RULES,
    extra_columns: Sequence[str] = (),
) -> np.ndarray:
    """Grades from a CSV: one row per student, one column per module code (a missing column or
    an empty cell = not graded; decimal commas accepted). ``extra_columns`` (e.g. a student id)
    are ignored; any other unknown column or an out-of-range grade raises GradeError."""
    frame = pl.read_csv(path, infer_schema=False)
    unknown = [
        c for c in frame.columns if c not in structure.module_codes and c not in extra_columns
    ]
    if unknown:
        raise sim.GradeError(
            f"colonne(s) inconnue(s) dans {path} : {', '.join(unknown)} "
            "(attendu : un code de module par colonne)"
        )
    grades = np.full((frame.height, len(structure.module_codes)), np.nan)
    for j, code in enumerate(structure.module_codes):
        if code not in frame.columns:
            continue
        text = frame[code].str.strip_chars().str.replace(",", ".")
        values = text.cast(pl.Float64, strict=False)
        bad = values.is_null() & text.is_not_null() & (text != "")
        if bad.any():
            raise sim.GradeError(
                f"note illisible dans {path}, colonne {code}, ligne "
                f"{int(bad.arg_true()[0]) + 2} : {text.filter(bad)[0]!r}"
            )
        col = values.to_numpy().astype(float)
        out = (col < rules.grade_min) | (col > rules.grade_max)
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise sim.GradeError(
                f"note hors de l'intervalle {rules.grade_min:g}-{rules.grade_max:g} dans "
                f"{path}, colonne {code}, ligne {i + 2} : {col[i]:g}"
            )
        grades[:, j] = col
    return grades


# --------------------------------------------------------------------------- computation


@dataclass(frozen=True)
class CohortArrays:
    """Per-student results: averages with NaN = none; codes as indexes into UE_CODES /
    DECISIONS, -1 = none or pending."""

    ue_average: np.ndarray  # N × UEs
    ue_code: np.ndarray  # N × UEs, int8
    rcue_average: np.ndarray  # N × RCUEs
    decision: np.ndarray  # N, int8


# float32 halves the memory traffic of the two matrix products (the bulk of the time). Its error
# on an average is below 1e-4 for any realistic module count, so every student with an average
# within BORDERLINE of a threshold is recomputed in float64: codes and decisions are exact.
BORDERLINE = 1e-3

# Averages are computed in blocks of students, so that a block's temporaries (grades × 4 bytes,
# several times over) stay in the CPU cache: on 100,000 students, blocks of 4096-8192 run ~1.8x
# faster than one block, 2048 or 32768 ~1.3x slower than 8192.
BLOCK = 8192

_INT_OF = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}
_ONE_BITS = {
    np.dtype(np.float32): np.int32(0x3F800000),
    np.dtype(np.float64): np.int64(0x3FF0000000000000),
}


class _Plan:
    """What the computation needs from the structure, prepared once per call. Inside it
    the per-student arrays are UE-major (UEs × students): every per-student step is then a few
    row-wise operations on long contiguous rows, several times faster than reductions across
    the 4-12 columns of a students × UEs array."""

    def __init__(self, structure: CohortStructure, rules: Rules):
        self.rules = rules
        self.n_ue, self.n_rcue = len(structure.ues), len(structure.rcue_pairs)
        self.coef_t = {dt: np.ascontiguousarray(structure.coef.T, dtype=dt) for dt in _INT_OF}
        self.odd = np.array([p[1] for p in structure.rcue_pairs], dtype=np.intp)
        self.even = np.array([p[2] for p in structure.rcue_pairs], dtype=np.intp)
        # UE -> row of its RCUE in the "RCUE reached" mask; n_rcue = an extra all-False row
        self.rcue_of_ue = np.full(self.n_ue, self.n_rcue, dtype=np.intp)
        for k, (_, odd, even) in enumerate(structure.rcue_pairs):
            self.rcue_of_ue[odd] = self.rcue_of_ue[even] = k
        self.decides = structure.is_year and not structure.missing and self.n_rcue > 0
        self.pasd_minimum = sim.pasd_minimum(self.n_rcue, rules) if self.n_rcue else 0


def _averages(plan: _Plan, grades: np.ndarray, dtype) -> np.ndarray:
    """UE averages then RCUE averages, (UEs + RCUEs) × students in ``dtype``, NaN where none."""
    dtype = np.dtype(dtype)
    g = np.asarray(grades, dtype=dtype)
    itype = _INT_OF[dtype]
    # Ungraded (NaN) grades must weigh 0. AND-ing the bits with all-ones / all-zeros is a single
    # pass (np.fmax / np.where are 3-4x slower here), and the same mask AND the bits of 1.0 gives
    # the graded indicator of the denominators.
    mask = np.subtract(np.isnan(g), 1, dtype=itype)  # -1 (every bit set) where graded, 0 where not
    zeroed = np.bitwise_and(g.view(itype), mask).view(dtype)
    graded = np.bitwise_and(mask, _ONE_BITS[dtype]).view(dtype)
    out = np.empty((plan.n_ue + plan.n_rcue, g.shape[0]), dtype)
    ue, rcue = out[: plan.n_ue], out[plan.n_ue :]
    coef_t = plan.coef_t[dtype]
    with np.errstate(invalid="ignore"):  # 0 / 0 = NaN: no graded module, no average
        np.divide(coef_t @ zeroed.T, coef_t @ graded.T, out=ue)
    w1, w2 = plan.rules.rcue_weights  # same operations as the loop: (w1*a + w2*b) / (w1 + w2)
    np.multiply(ue[plan.odd], w1, out=rcue)
    rcue += w2 * ue[plan.even]
    rcue /= w1 + w2
    return out


def _near_students(averages: np.ndarray, low: float, high: float) -> np.ndarray:
    """Columns (students) with an average within BORDERLINE of ``low`` or ``high``; NaN is never
    near. |v - low| or |v - high| is small exactly when ||v - mid| - half| is: fewer passes."""
    kind = averages.dtype.type
    t = np.subtract(averages, kind((low + high) / 2))
    np.abs(t, out=t)
    t -= kind((high - low) / 2)
    np.abs(t, out=t)
    return np.unique(np.flatnonzero(t < BORDERLINE) % averages.shape[1])


@cache
def _blas() -> ThreadpoolController:
    return ThreadpoolController()  # inspecting the loaded libraries takes ~1 ms: once


def _run(
    structure: CohortStructure, grades: np.ndarray, rules: Rules
) -> tuple[CohortArrays, _Tally]:
    """Vectorised computation (no per-student Python code) with one BLAS thread: the products
    are small (a block × ~30 modules × ~8 UEs), so a second thread saves ~7 % on an idle machine
    but waits whenever the other core is busy (2 to 8 times slower, measured). The limit is
    process-wide while it lasts: this module is for batch use (benchmarks, commands)."""
    _check_shape(structure, grades)
    with _blas().limit(limits=1, user_api="blas"):
        return _run_limited(structure, grades, rules)


def _run_limited(
    structure: CohortStructure, grades: np.ndarray, rules: Rules
) -> tuple[CohortArrays, _Tally]:
    """Averages block by block into preallocated UE-major arrays, then codes, decisions and
    tallies on whole rows. Returns the arrays as students × UEs views, with their tally."""
    plan = _Plan(structure, rules)
    n = grades.shape[0]
    averages = np.empty((plan.n_ue + plan.n_rcue, n))
    near_parts = [np.empty(0, dtype=np.intp)]
    for i in range(0, n, BLOCK):
        fast = _averages(plan, grades[i : i + BLOCK], np.float32)
        averages[:, i : i + BLOCK] = fast
        near_parts.append(i + _near_students(fast, rules.rcue_floor, rules.pass_mark))
    near = np.concatenate(near_parts)
    if near.size:  # a few students: one float64 pass for all blocks
        averages[:, near] = _averages(plan, grades[near], np.float64)
    ue, rcue = averages[: plan.n_ue], averages[plan.n_ue :]
    code, decision = _decide(plan, ue, rcue)
    return CohortArrays(ue.T, code.T, rcue.T, decision), _tally(ue, code, rcue, decision, rules)


def _decide(plan: _Plan, ue: np.ndarray, rcue: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """UE codes (UEs × students, int8) and year decisions (students, int8)."""
    rules = plan.rules
    mark = rules.pass_mark - EPS
    n = ue.shape[1]
    reached = np.zeros((plan.n_rcue + 1, n), dtype=bool)  # NaN compares False
    np.greater_equal(rcue, mark, out=reached[: plan.n_rcue])
    adm = (ue >= mark).view(np.int8)
    # ADM (2) = adm + 1; CMP (1) = RCUE reached without adm; AJ (0); none (-1) = no average
    # (then adm and the RCUE are False: NaN propagates to the RCUE).
    code = np.bitwise_or(adm, reached[plan.rcue_of_ue].view(np.int8))
    code += adm
    code -= np.isnan(ue).view(np.int8)
    if not plan.decides:
        return code, np.full(n, NONE_CODE, dtype=np.int8)
    passed = reached[: plan.n_rcue].view(np.int8).sum(axis=0, dtype=np.int16)
    below = (rcue < rules.rcue_floor - EPS).any(axis=0)
    decision = ((passed >= plan.pasd_minimum) & ~below).view(np.int8)  # PASD (1) or AJ (0)
    decision[passed == plan.n_rcue] = 2
    decision[np.isnan(rcue).any(axis=0)] = NONE_CODE
    return code, decision


def cohort_arrays(
    structure: CohortStructure, grades: np.ndarray, rules: Rules = DEFAULT_RULES
) -> CohortArrays:
    """Per-student results, vectorised."""
    return _run(structure, grades, rules)[0]


def cohort_arrays_loop(
    structure: CohortStructure, grades, rules: Rules = DEFAULT_RULES
) -> CohortArrays:
    """Reference implementation: one student, one UE, one module at a time, in plain Python,
    deciding with :func:`butdata.grading.student.year_decision`. Slow on purpose; for tests/benchmarks."""
    rows = grades.tolist() if isinstance(grades, np.ndarray) else [list(r) for r in grades]
    coef = structure.coef.tolist()
    feeds = [
        [(i, coef[i][j]) for i in range(len(coef)) if coef[i][j] != 0]
        for j in range(len(structure.ues))
    ]
    w1, w2 = rules.rcue_weights
    nan = float("nan")
    ue_avgs, codes, rcues, decisions = [], [], [], []
    for student in rows:
        avgs = []
        for modules in feeds:
            total = weight = 0.0
            for i, c in modules:
                g = student[i]
                if g == g:  # not NaN
                    total += c * g
                    weight += c
            avgs.append(total / weight if weight > 0 else None)
        rcue_list, rcue_of = [], {}
        for comp, a, b in structure.rcue_pairs:
            avg = None
            if avgs[a] is not None and avgs[b] is not None:
                avg = (w1 * avgs[a] + w2 * avgs[b]) / (w1 + w2)
            rcue_list.append((comp, avg))
            rcue_of[a] = rcue_of[b] = avg
        code_row = []
        for j, avg in enumerate(avgs):
            c = sim.ue_code(avg, rcue_of.get(j), rules)
            code_row.append(NONE_CODE if c is None else UE_CODES.index(c))
        if structure.is_year:
            d, _ = sim.year_decision(rcue_list, rules, structure.missing)
        else:
            d = None
        ue_avgs.append([nan if a is None else a for a in avgs])
        codes.append(code_row)
        rcues.append([nan if a is None else a for _, a in rcue_list])
        decisions.append(NONE_CODE if d is None else DECISIONS.index(d))
    n = len(rows)
    return CohortArrays(
        np.array(ue_avgs, dtype=float).reshape(n, len(structure.ues)),
        np.array(codes, dtype=np.int8).reshape(n, len(structure.ues)),
        np.array(rcues, dtype=float).reshape(n, len(structure.rcue_pairs)),
        np.array(decisions, dtype=np.int8),
    )


# --------------------------------------------------------------------------- pass rates


@dataclass(frozen=True)
class CohortResult:
    """Pass rates (shares in 0-1) and the per-student arrays they come from.

    ``ues``: table_id, ue, competence, mean (of the averages that exist), adm, cmp, aj, pending,
    passed (= adm + cmp). ``rcues``: competence, mean, passed (≥ pass mark), below_floor, pending.
    ``decisions``: decision (ADM / PASD / AJ / null = pending or not decidable), count, share.
    """

    n_students: int
    ues: pl.DataFrame
    rcues: pl.DataFrame
    decisions: pl.DataFrame
    arrays: CohortArrays


@dataclass(frozen=True)
class _Tally:
    """Counts and sums behind the pass rates (the same function tallies the loop's arrays)."""

    n: int
    ue_codes: np.ndarray  # UEs × 4: students with code -1 (none), 0 (AJ), 1 (CMP), 2 (ADM)
    ue_sums: np.ndarray  # UEs: sum of the averages that exist
    rcue_sums: np.ndarray  # RCUEs: sum of the averages that exist
    rcue_counts: np.ndarray  # RCUEs × 3: students without an average, passed, below the floor
    decisions: np.ndarray  # 4: students with decision -1 (none/pending), 0 (AJ), 1 (PASD), 2 (ADM)


def _row_counts(mask: np.ndarray) -> np.ndarray:
    """Non-zero count of each row: one count_nonzero per row is ~6x faster than axis=1."""
    return np.array([np.count_nonzero(row) for row in mask], dtype=np.int64)


def _row_sums(values: np.ndarray, none: np.ndarray) -> np.ndarray:
    """Row sums of the values that exist; only rows with a NaN pay for the masked sum."""
    sums = values.sum(axis=1)
    has_none = none.any(axis=1)
    if has_none.any():
        sums[has_none] = np.where(none[has_none], 0.0, values[has_none]).sum(axis=1)
    return sums


def _tally(
    ue: np.ndarray, code: np.ndarray, rcue: np.ndarray, decision: np.ndarray, rules: Rules
) -> _Tally:
    """Tally of UE-major arrays (UEs × students, RCUEs × students)."""
    rc_none = np.isnan(rcue)
    return _Tally(
        n=decision.shape[0],
        ue_codes=np.stack([_row_counts(code == c) for c in (-1, 0, 1, 2)], axis=1).reshape(-1, 4),
        ue_sums=_row_sums(ue, code == NONE_CODE),
        rcue_sums=_row_sums(rcue, rc_none),
        rcue_counts=np.stack(
            [
                _row_counts(rc_none),
                _row_counts(rcue >= rules.pass_mark - EPS),
                _row_counts(rcue < rules.rcue_floor - EPS),
            ],
            axis=1,
        ).reshape(-1, 3),
        decisions=np.bincount(decision.astype(np.intp) + 1, minlength=4),
    )


def summarise(
    structure: CohortStructure, arrays: CohortArrays, rules: Rules = DEFAULT_RULES
) -> CohortResult:
    """Pass rates of per-student arrays (students × UEs), e.g. the loop reference's."""
    tally = _tally(
        np.ascontiguousarray(arrays.ue_average.T),
        np.ascontiguousarray(arrays.ue_code.T),
        np.ascontiguousarray(arrays.rcue_average.T),
        arrays.decision,
        rules,
    )
    return _result(structure, tally, arrays)


def _result(structure: CohortStructure, t: _Tally, arrays: CohortArrays) -> CohortResult:
    n = t.n
    share = t.ue_codes / n if n else np.zeros(t.ue_codes.shape)
    with_avg = t.ue_codes[:, 1:].sum(axis=1)
    ues = pl.DataFrame(
        {
            "table_id": [x for x, _, _ in structure.ues],
            "ue": [u for _, u, _ in structure.ues],
            "competence": [c for _, _, c in structure.ues],
            "mean": [float(s / c) if c else None for s, c in zip(t.ue_sums, with_avg)],
            "adm": share[:, 3],
            "cmp": share[:, 2],
            "aj": share[:, 1],
            "pending": share[:, 0],
            "passed": share[:, 2] + share[:, 3],
        },
        schema_overrides={"competence": pl.Int64, "mean": pl.Float64},
    )
    rshare = t.rcue_counts / n if n else np.zeros(t.rcue_counts.shape)
    rcues = pl.DataFrame(
        {
            "competence": [p[0] for p in structure.rcue_pairs],
            "mean": [
                float(s / (n - c)) if n - c else None
                for s, c in zip(t.rcue_sums, t.rcue_counts[:, 0])
            ],
            "passed": rshare[:, 1],
            "below_floor": rshare[:, 2],
            "pending": rshare[:, 0],
        },
        schema_overrides={
            "competence": pl.Int64,
            "mean": pl.Float64,
            "passed": pl.Float64,
            "below_floor": pl.Float64,
            "pending": pl.Float64,
        },
    )
    counts = t.decisions  # slots: none, AJ, PASD, ADM
    decisions = pl.DataFrame(
        {
            "decision": [*DECISIONS[::-1], None],
            "count": [int(counts[3]), int(counts[2]), int(counts[1]), int(counts[0])],
        },
        schema={"decision": pl.String, "count": pl.Int64},
    ).with_columns(share=pl.col("count") / max(n, 1))
    return CohortResult(n, ues, rcues, decisions, arrays)


def simulate_cohort(
    structure: CohortStructure, grades: np.ndarray, rules: Rules = DEFAULT_RULES
) -> CohortResult:
    """Pass rates of a cohort (vectorised). ``grades``: N × len(module_codes), NaN = not graded."""
    arrays, tally = _run(structure, grades, rules)
    return _result(structure, tally, arrays)


def simulate_cohort_loop(
    structure: CohortStructure, grades, rules: Rules = DEFAULT_RULES
) -> CohortResult:
    """Same result as :func:`simulate_cohort`, computed student by student in plain Python."""
    return summarise(structure, cohort_arrays_loop(structure, grades, rules), rules)


def _check_shape(structure: CohortStructure, grades: np.ndarray) -> None:
    if grades.ndim != 2 or grades.shape[1] != len(structure.module_codes):
        raise ValueError(f"grades must be N × {len(structure.module_codes)}, got {grades.shape}")
