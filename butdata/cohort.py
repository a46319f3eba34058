"""Cohorts: the same rules as :mod:`butdata.simulate`, for N students at once.

A year (or one table) becomes a :class:`CohortStructure`: module codes, UEs, and a modules × UEs
coefficient matrix. Grades are an N × modules float matrix with NaN for "not graded". UE averages
are then two matrix products (grades @ coef and graded-mask @ coef); RCUEs, codes and decisions are
column operations. ``simulate_cohort_loop`` is the same computation in plain Python, kept as a
reference for tests and benchmarks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from . import simulate as sim
from .rules import DEFAULT_RULES, EPS, Rules

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


def build_structure(coefficients: pl.DataFrame, ues: pl.DataFrame, table_ids: Sequence[str],
                    modes: Mapping[str, str] | None = None) -> CohortStructure:
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
    return CohortStructure(tuple(table_ids), codes, tuple(ue_rows), coef, tuple(pairs),
                           tuple(missing), tuple(used_modes))


# --------------------------------------------------------------------------- grades

def draw_grades(structure: CohortStructure, n_students: int, mean: float = 10.0, spread: float = 3.0,
                per_module: Mapping[str, tuple[float, float]] | None = None, seed: int | None = 0,
                ungraded_rate: float = 0.0, rules: Rules = DEFAULT_RULES) -> np.ndarray:
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
    grades = np.clip(rng.normal(means, spreads, size=(n_students, m)), rules.grade_min, rules.grade_max)
    if ungraded_rate > 0:
        grades[rng.random(grades.shape) < ungraded_rate] = np.nan
    # Drawn grades have no "true" decimal value, so float32 loses nothing and halves the memory
    # the computation reads; the drawn values ARE the float32 ones (the loop reference and the
    # float64 borderline recheck read exactly them). Grades read from a CSV stay float64.
    return grades.astype(np.float32)


def read_grades_csv(path, structure: CohortStructure, rules: Rules = DEFAULT_RULES,
                    extra_columns: Sequence[str] = ()) -> np.ndarray:
    """Grades from a CSV: one row per student, one column per module code (a missing column or
    an empty cell = not graded; decimal commas accepted). ``extra_columns`` (e.g. a student id)
    are ignored; any other unknown column or an out-of-range grade raises GradeError."""
    frame = pl.read_csv(path, infer_schema=False)
    unknown = [c for c in frame.columns if c not in structure.module_codes and c not in extra_columns]
    if unknown:
        raise sim.GradeError(f"colonne(s) inconnue(s) dans {path} : {', '.join(unknown)} "
                             "(attendu : un code de module par colonne)")
    grades = np.full((frame.height, len(structure.module_codes)), np.nan)
    for j, code in enumerate(structure.module_codes):
        if code not in frame.columns:
            continue
        text = frame[code].str.strip_chars().str.replace(",", ".")
        values = text.cast(pl.Float64, strict=False)
        bad = values.is_null() & text.is_not_null() & (text != "")
        if bad.any():
            raise sim.GradeError(f"note illisible dans {path}, colonne {code}, ligne "
                                 f"{int(bad.arg_true()[0]) + 2} : {text.filter(bad)[0]!r}")
        col = values.to_numpy().astype(float)
        out = (col < rules.grade_min) | (col > rules.grade_max)
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise sim.GradeError(f"note hors de l'intervalle {rules.grade_min:g}-{rules.grade_max:g} dans "
                                 f"{path}, colonne {code}, ligne {i + 2} : {col[i]:g}")
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


def _averages(structure: CohortStructure, grades: np.ndarray, rules: Rules,
              dtype) -> tuple[np.ndarray, np.ndarray]:
    """UE averages (N × UEs) and RCUE averages (N × RCUEs), NaN where none."""
    coef = structure.coef.astype(dtype)
    missing = np.isnan(grades)
    if rules.grade_min >= 0:  # fmax drops NaN: one pass converts and zeroes the ungraded
        g = np.fmax(grades, 0, dtype=dtype)
    else:
        g = grades.astype(dtype)
        np.copyto(g, 0, where=missing)
    if missing.any():
        den = (~missing).astype(dtype) @ coef
    else:  # every module graded: the denominators are the column sums
        den = np.broadcast_to(coef.sum(axis=0), (g.shape[0], coef.shape[1]))
    num = g @ coef
    with np.errstate(invalid="ignore"):
        ue_avg = num / den  # 0 / 0 = NaN: no graded module, no average
    w1, w2 = rules.rcue_weights
    odd = [p[1] for p in structure.rcue_pairs]
    even = [p[2] for p in structure.rcue_pairs]
    rcue = (w1 * ue_avg[:, odd] + w2 * ue_avg[:, even]) / (w1 + w2)
    return ue_avg, rcue


def _near_rows(arrays: Sequence[np.ndarray], low: float, high: float) -> np.ndarray:
    """Rows (students) with a value within BORDERLINE of ``low`` or ``high``; NaN is never near.
    |v - low| or |v - high| is small exactly when ||v - mid| - half| is: two passes, not four."""
    mid, half = (low + high) / 2, (high - low) / 2
    rows = [np.flatnonzero(np.abs(np.abs(a - a.dtype.type(mid)) - a.dtype.type(half)) < BORDERLINE)
            // a.shape[1] for a in arrays if a.shape[1]]
    return np.unique(np.concatenate(rows)) if rows else np.empty(0, dtype=np.intp)


# Students are processed in blocks small enough for a block's temporaries to stay in the CPU
# cache (8192 × 34 modules × 8 bytes ≈ 2 MB): ~30 % faster than one pass over a 100k cohort.
BLOCK = 8192


def cohort_arrays(structure: CohortStructure, grades: np.ndarray, rules: Rules = DEFAULT_RULES) -> CohortArrays:
    """Vectorised computation (no per-student Python code), block by block."""
    return _concat(list(_blocks(structure, grades, rules)))


def _blocks(structure: CohortStructure, grades: np.ndarray, rules: Rules):
    for i in range(0, max(grades.shape[0], 1), BLOCK):
        yield _cohort_block(structure, grades[i:i + BLOCK], rules)


def _concat(blocks: list[CohortArrays]) -> CohortArrays:
    if len(blocks) == 1:
        return blocks[0]
    return CohortArrays(*(np.concatenate([getattr(b, f) for b in blocks])
                          for f in ("ue_average", "ue_code", "rcue_average", "decision")))


def _cohort_block(structure: CohortStructure, grades: np.ndarray, rules: Rules) -> CohortArrays:
    ue32, rcue32 = _averages(structure, grades, rules, np.float32)
    near = _near_rows((ue32, rcue32), rules.rcue_floor, rules.pass_mark)
    ue_avg, rcue = ue32.astype(np.float64), rcue32.astype(np.float64)
    if near.size:
        ue_avg[near], rcue[near] = _averages(structure, grades[near], rules, np.float64)

    mark = rules.pass_mark - EPS
    rcue_ok = rcue >= mark  # NaN compares False
    compensated = np.zeros(ue_avg.shape, dtype=np.int8)  # 1 (CMP) where the RCUE reaches the mark
    for k, (_, odd, even) in enumerate(structure.rcue_pairs):
        compensated[:, odd] = rcue_ok[:, k]
        compensated[:, even] = rcue_ok[:, k]
    code = np.where(ue_avg >= mark, np.int8(2), compensated)  # ADM, else CMP or AJ (0)
    code = np.where(np.isnan(ue_avg), np.int8(NONE_CODE), code)

    n = grades.shape[0]
    n_rcue = len(structure.rcue_pairs)
    if not structure.is_year or structure.missing or n_rcue == 0:
        decision = np.full(n, NONE_CODE, dtype=np.int8)
    else:
        passed = rcue_ok.view(np.int8).sum(axis=1, dtype=np.int16)
        below = (rcue < rules.rcue_floor - EPS).any(axis=1)
        decision = np.zeros(n, dtype=np.int8)
        decision[(passed >= sim.pasd_minimum(n_rcue, rules)) & ~below] = 1
        decision[passed == n_rcue] = 2
        decision[np.isnan(rcue).any(axis=1)] = NONE_CODE
    return CohortArrays(ue_avg, code, rcue, decision)


def cohort_arrays_loop(structure: CohortStructure, grades, rules: Rules = DEFAULT_RULES) -> CohortArrays:
    """Reference implementation: one student, one UE, one module at a time, in plain Python,
    deciding with :func:`butdata.simulate.year_decision`. Slow on purpose; for tests/benchmarks."""
    rows = grades.tolist() if isinstance(grades, np.ndarray) else [list(r) for r in grades]
    coef = structure.coef.tolist()
    feeds = [[(i, coef[i][j]) for i in range(len(coef)) if coef[i][j] != 0] for j in range(len(structure.ues))]
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
    return CohortArrays(np.array(ue_avgs, dtype=float).reshape(n, len(structure.ues)),
                        np.array(codes, dtype=np.int8).reshape(n, len(structure.ues)),
                        np.array(rcues, dtype=float).reshape(n, len(structure.rcue_pairs)),
                        np.array(decisions, dtype=np.int8))


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
    """Additive counts and sums behind the pass rates: tallied block by block while a block is
    still in the CPU cache, then added up (the same function tallies the loop's arrays)."""

    n: int
    ue_codes: np.ndarray  # UEs × 4: students with code -1 (none), 0 (AJ), 1 (CMP), 2 (ADM)
    ue_sums: np.ndarray  # UEs: sum of the averages that exist
    rcue_sums: np.ndarray  # RCUEs: sum of the averages that exist
    rcue_counts: np.ndarray  # RCUEs × 3: students without an average, passed, below the floor
    decisions: np.ndarray  # 4: students with decision -1 (none/pending), 0 (AJ), 1 (PASD), 2 (ADM)

    def __add__(self, other: "_Tally") -> "_Tally":
        return _Tally(*(a + b for a, b in zip(
            (self.n, self.ue_codes, self.ue_sums, self.rcue_sums, self.rcue_counts, self.decisions),
            (other.n, other.ue_codes, other.ue_sums, other.rcue_sums, other.rcue_counts, other.decisions))))


def _tally(arrays: CohortArrays, rules: Rules) -> _Tally:
    code, rc = arrays.ue_code, arrays.rcue_average
    ones = np.ones(code.shape[0], dtype=np.float32)

    def count(mask: np.ndarray) -> np.ndarray:
        # column counts as a row-vector product: numpy's axis-0 reductions over a tall, narrow
        # matrix are several times slower; float32 counts are exact below 2**24 students
        return (ones @ mask.astype(np.float32)).astype(np.int64)

    rc_nan = np.isnan(rc)
    return _Tally(
        n=code.shape[0],
        ue_codes=np.stack([count(code == c) for c in (-1, 0, 1, 2)], axis=1),
        ue_sums=ones.astype(np.float64) @ np.where(code == NONE_CODE, 0.0, arrays.ue_average),
        rcue_sums=ones.astype(np.float64) @ np.where(rc_nan, 0.0, rc),
        rcue_counts=np.stack([count(rc_nan), count(rc >= rules.pass_mark - EPS),
                              count(rc < rules.rcue_floor - EPS)], axis=1),
        decisions=np.bincount(arrays.decision.astype(np.int64) + 1, minlength=4))


def summarise(structure: CohortStructure, arrays: CohortArrays, rules: Rules = DEFAULT_RULES) -> CohortResult:
    return _result(structure, _tally(arrays, rules), arrays)


def _result(structure: CohortStructure, t: _Tally, arrays: CohortArrays) -> CohortResult:
    n = t.n
    share = t.ue_codes / n if n else np.zeros(t.ue_codes.shape)
    with_avg = t.ue_codes[:, 1:].sum(axis=1)
    ues = pl.DataFrame({
        "table_id": [x for x, _, _ in structure.ues], "ue": [u for _, u, _ in structure.ues],
        "competence": [c for _, _, c in structure.ues],
        "mean": [float(s / c) if c else None for s, c in zip(t.ue_sums, with_avg)],
        "adm": share[:, 3], "cmp": share[:, 2], "aj": share[:, 1],
        "pending": share[:, 0], "passed": share[:, 2] + share[:, 3],
    }, schema_overrides={"competence": pl.Int64, "mean": pl.Float64})
    rshare = t.rcue_counts / n if n else np.zeros(t.rcue_counts.shape)
    rcues = pl.DataFrame({
        "competence": [p[0] for p in structure.rcue_pairs],
        "mean": [float(s / (n - c)) if n - c else None for s, c in zip(t.rcue_sums, t.rcue_counts[:, 0])],
        "passed": rshare[:, 1], "below_floor": rshare[:, 2], "pending": rshare[:, 0],
    }, schema_overrides={"competence": pl.Int64, "mean": pl.Float64, "passed": pl.Float64,
                         "below_floor": pl.Float64, "pending": pl.Float64})
    counts = t.decisions  # slots: none, AJ, PASD, ADM
    decisions = pl.DataFrame({
        "decision": [*DECISIONS[::-1], None],
        "count": [int(counts[3]), int(counts[2]), int(counts[1]), int(counts[0])],
    }, schema={"decision": pl.String, "count": pl.Int64}).with_columns(
        share=pl.col("count") / max(n, 1))
    return CohortResult(n, ues, rcues, decisions, arrays)


def simulate_cohort(structure: CohortStructure, grades: np.ndarray, rules: Rules = DEFAULT_RULES) -> CohortResult:
    """Pass rates of a cohort (vectorised). ``grades``: N × len(module_codes), NaN = not graded."""
    _check_shape(structure, grades)
    blocks = list(_blocks(structure, grades, rules))
    tally = sum((_tally(b, rules) for b in blocks[1:]), _tally(blocks[0], rules))
    return _result(structure, tally, _concat(blocks))


def simulate_cohort_loop(structure: CohortStructure, grades, rules: Rules = DEFAULT_RULES) -> CohortResult:
    """Same result as :func:`simulate_cohort`, computed student by student in plain Python."""
    return summarise(structure, cohort_arrays_loop(structure, grades, rules), rules)


def _check_shape(structure: CohortStructure, grades: np.ndarray) -> None:
    if grades.ndim != 2 or grades.shape[1] != len(structure.module_codes):
        raise ValueError(f"grades must be N × {len(structure.module_codes)}, got {grades.shape}")
