"""Cohort simulation: vectorised (numpy matrix products) against the plain-Python loop, same data.

Uses a year of a real table when the store exists (default: QLIO S3 + S4 QMI of doc 000), else a
synthetic year of the same shape. Run: ``.venv/bin/python benchmarks/bench_cohort.py [N]``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from butdata.grading import cohort
from butdata.grading.rules import DEFAULT_RULES

DEFAULT_YEAR = ("000-qlio-s3-qmi", "000-qlio-s4-qmi")


def synthetic_frames(
    n_competences: int = 4, modules_per_semester: int = 26, seed: int = 0
) -> tuple[pl.DataFrame, pl.DataFrame, tuple[str, str]]:
    """A year shaped like a real one: each module feeds 1 to all UEs of its semester."""
    rng = np.random.default_rng(seed)
    coef_rows, ue_rows = [], []
    for sem, tid in ((3, "synth-s3"), (4, "synth-s4")):
        for c in range(1, n_competences + 1):
            ue_rows.append((tid, f"UE{sem}{c}", c, 0.4, c))
        for m in range(modules_per_semester):
            feeds = rng.choice(
                n_competences, size=rng.integers(1, n_competences + 1), replace=False
            )
            for c in feeds:
                coef_rows.append(
                    (
                        tid,
                        f"UE{sem}{c + 1}",
                        int(c + 1),
                        f"R{sem}.{m:02d}",
                        float(rng.choice([0.3, 0.5, 1.0, 1.5, 2.0])),
                    )
                )
    coefficients = pl.DataFrame(
        coef_rows,
        orient="row",
        schema=["table_id", "ue", "competence", "module_code", "coefficient"],
    )
    ues = pl.DataFrame(
        ue_rows, orient="row", schema=["table_id", "ue", "competence", "sae_share", "source_line"]
    )
    return coefficients, ues, ("synth-s3", "synth-s4")


def load_structure(db_path=None, table_ids=DEFAULT_YEAR) -> tuple[cohort.CohortStructure, str]:
    """The year from the store when available, else a synthetic one; and where it came from."""
    try:
        from butdata.analysis import queries
        from butdata.store import default_db_path, open_store

        path = Path(db_path or default_db_path())
        if path.exists():
            con = open_store(path)
            try:
                frames = queries.table_frames(con, table_ids)
            finally:
                con.close()
            if frames["tables"].height == len(table_ids) and frames["coefficients"].height:
                return (
                    cohort.build_structure(frames["coefficients"], frames["ues"], list(table_ids)),
                    f"store {path.name}: {' + '.join(table_ids)}",
                )
    except Exception as exc:  # a benchmark must still run without a usable store
        print(f"(store not used: {exc})", file=sys.stderr)
    coefficients, ues, ids = synthetic_frames()
    return cohort.build_structure(
        coefficients, ues, list(ids)
    ), "synthetic year (4 competences, 2 × 26 modules)"


def floor_product(structure: cohort.CohortStructure, grades: np.ndarray) -> np.ndarray:
    """The floor of the year simulation: one pass of the same grade matrix through the same
    matrix product (float32 grades × coefficients, one BLAS thread like the real computation),
    in the same blocks of students, in the engine's orientation (students × modules @ modules ×
    UEs: ≈ 1.8x faster than the UE-major product this floor used before): nothing else."""
    coef = np.ascontiguousarray(structure.coef, dtype=np.float32)
    out = np.empty((grades.shape[0], coef.shape[1]), dtype=np.float32)
    with cohort._blas().limit(limits=1, user_api="blas"):
        for i in range(0, grades.shape[0], cohort.BLOCK):
            np.matmul(grades[i : i + cohort.BLOCK], coef, out=out[i : i + cohort.BLOCK])
    return out


def stacked_blocks(structure: cohort.CohortStructure, grades: np.ndarray) -> list[np.ndarray]:
    """The matrices the engine multiplies (``cohort._stacked``: per block of students, the grades
    with NaN as 0 stacked over the graded indicator, float32), built outside any timing."""
    plan = cohort._Plan(structure, DEFAULT_RULES, None)
    return [
        cohort._stacked(plan, grades[i : i + cohort.BLOCK], np.dtype(np.float32))
        for i in range(0, grades.shape[0], cohort.BLOCK)
    ]


def engine_product(structure: cohort.CohortStructure, blocks: list[np.ndarray]) -> None:
    """The engine's matrix product alone (numerators and denominators of every UE average, one
    BLAS thread), on matrices built beforehand: what any numpy computation of the averages pays
    before it divides, forms RCUEs or decides. Information beside the floor, not a goal."""
    coef = np.ascontiguousarray(structure.coef, dtype=np.float32)
    with cohort._blas().limit(limits=1, user_api="blas"):
        for b in blocks:
            b @ coef


def measure(
    n_students: int = 100_000,
    db_path=None,
    table_ids=DEFAULT_YEAR,
    seed: int = 0,
    ungraded_rate: float = 0.05,
    repeat: int = 3,
) -> dict:
    """Times both implementations on the same drawn grades (medians of ``repeat`` interleaved
    runs); checks they agree."""
    structure, source = load_structure(db_path, table_ids)
    grades = cohort.draw_grades(
        structure, n_students, mean=11, spread=3.5, seed=seed, ungraded_rate=ungraded_rate
    )
    cohort.simulate_cohort(structure, grades)  # warm-up (first-call costs), not counted
    floor_product(structure, grades)
    blocks = stacked_blocks(structure, grades)
    engine_product(structure, blocks)
    vec_times, loop_times, floor_times, product_times = [], [], [], []
    for _ in range(repeat):  # interleaved, so that machine noise hits both sides alike
        t0 = time.perf_counter()
        fast = cohort.simulate_cohort(structure, grades)
        vec_times.append(time.perf_counter() - t0)
        for _ in range(5):  # short calls: several floor and vectorised runs per loop run
            t0 = time.perf_counter()
            floor_product(structure, grades)
            floor_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            cohort.simulate_cohort(structure, grades)
            vec_times.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            engine_product(structure, blocks)
            product_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        slow = cohort.simulate_cohort_loop(structure, grades)
        loop_times.append(time.perf_counter() - t0)
    vec, loop_time = float(np.median(vec_times)), float(np.median(loop_times))
    floor, product = float(np.median(floor_times)), float(np.median(product_times))
    agree = (
        np.allclose(fast.arrays.ue_average, slow.arrays.ue_average, equal_nan=True)
        and bool((fast.arrays.ue_code == slow.arrays.ue_code).all())
        and bool((fast.arrays.decision == slow.arrays.decision).all())
    )
    return {
        "benchmark": "cohort",
        "source": source,
        "n_students": n_students,
        "n_modules": len(structure.module_codes),
        "n_ues": len(structure.ues),
        "n_rcues": len(structure.rcue_pairs),
        "loop_seconds": round(loop_time, 4),
        "vectorised_seconds": round(vec, 4),
        "speedup": round(loop_time / vec, 1) if vec else None,
        "floor_seconds": round(floor, 5),
        "floor_ratio": round(vec / floor, 2) if floor else None,
        "product_seconds": round(product, 5),
        "product_floor_ratio": round(product / floor, 2) if floor else None,
        "agree": agree,
        "decision_shares": dict(
            zip(
                [d or "en attente" for d in fast.decisions["decision"]],
                [round(x, 4) for x in fast.decisions["share"]],
            )
        ),
    }


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    result = measure(n)
    for key, value in result.items():
        print(f"{key:>20}: {value}")
