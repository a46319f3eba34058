"""Query latency at national scale: the dashboard's "compare parcours" and "weights per UE"
queries (``butdata.analysis.queries``) on the synthetic national store vs the real store.

Each query is what a page runs on a cache miss, SQL and polars derivation together:

- compare parcours: the tables of a formation × semester (the picker, every site), then the
  chosen tables' rows and coefficients and the module × UE comparison (``compare_modules``);
- weights per UE: the chosen tables' rows, coefficients and UEs, then ``ue_summary`` and the
  stacked-bar segments (``ue_weights``).

Selections: on the real store the QLIO S3 tables (doc 000, every parcours); on the national store
the QLIO S3 tables of the one site whose table count is closest to that. Repetitions alternate
between the two stores. Run: ``.venv/bin/python benchmarks/bench_queries.py REAL.duckdb NAT.duckdb``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import interleaved, median_ms, ratio

FORMATION, SEMESTER = "QLIO", 3


def missing_api() -> str | None:
    """Why the dashboard queries cannot be measured (None when they can)."""
    try:
        from butdata.analysis import queries as Q
    except ImportError as exc:
        return f"butdata.analysis.queries not importable ({exc})"
    from butdata.analysis import compare as C

    needed = ("tables_of", "table_rows", "coefficients_of", "ues_of")
    absent = [n for n in needed if not hasattr(Q, n)]
    absent += [n for n in ("compare_modules", "ue_summary", "ue_weights") if not hasattr(C, n)]
    return f"butdata.analysis.queries lacks {', '.join(absent)}" if absent else None


def compare_parcours(con, ids: list[str]):
    from butdata.analysis import compare as C
    from butdata.analysis import queries as Q

    Q.tables_of(con, FORMATION, SEMESTER)
    rows = Q.table_rows(con, ids)
    coefs = Q.coefficients_of(con, ids)
    return C.compare_modules(coefs, rows)


def weights_per_ue(con, ids: list[str]):
    from butdata.analysis import compare as C
    from butdata.analysis import queries as Q

    rows = Q.table_rows(con, ids)
    coefs = Q.coefficients_of(con, ids)
    ues = Q.ues_of(con, ids)
    return C.ue_summary(coefs, ues, rows), C.ue_weights(coefs, rows)


def _selections(real_con, nat_con) -> tuple[list[str], list[str]]:
    from butdata.analysis import queries as Q

    real_ids = Q.tables_of(real_con, FORMATION, SEMESTER)["table_id"].to_list()
    nat = Q.tables_of(nat_con, FORMATION, SEMESTER)
    counts = nat.group_by("site").len()
    if counts.height == 0:
        return real_ids, []
    best = min(counts.iter_rows(), key=lambda r: (abs(r[1] - len(real_ids)), r[0]))[0]
    return real_ids, nat.filter(nat["site"] == best)["table_id"].to_list()


def measure(real_db: Path, national_db: Path, repeat: int = 15) -> dict:
    from butdata.store import open_store

    why = missing_api()
    if why:
        return {"query_scaling_ratio": None, "not_measured": f"not measured: {why}"}
    real_con, nat_con = open_store(real_db), open_store(national_db)
    try:
        real_ids, nat_ids = _selections(real_con, nat_con)
        times = interleaved(
            {
                "compare_real": lambda: compare_parcours(real_con, real_ids),
                "compare_national": lambda: compare_parcours(nat_con, nat_ids),
                "weights_real": lambda: weights_per_ue(real_con, real_ids),
                "weights_national": lambda: weights_per_ue(nat_con, nat_ids),
            },
            repeat=repeat,
            warmup=2,
        )
        cells_nat = nat_con.execute("SELECT count(*) FROM t_coefficients").fetchall()[0][0]
        cells_real = real_con.execute("SELECT count(*) FROM t_coefficients").fetchall()[0][0]
    finally:
        real_con.close()
        nat_con.close()
    med = {k: median_ms(v) for k, v in times.items()}
    r_compare = ratio(med["compare_national"], med["compare_real"])
    r_weights = ratio(med["weights_national"], med["weights_real"])
    return {
        "query_scaling_ratio": max(r for r in (r_compare, r_weights) if r is not None),
        "query_scaling_ratio_compare": r_compare,
        "query_scaling_ratio_weights": r_weights,
        "compare_parcours_real_ms": med["compare_real"],
        "compare_parcours_national_ms": med["compare_national"],
        "weights_per_ue_real_ms": med["weights_real"],
        "weights_per_ue_national_ms": med["weights_national"],
        "query_tables_real": len(real_ids),
        "query_tables_national": len(nat_ids),
        "query_cells_real": cells_real,
        "query_cells_national": cells_nat,
        "query_repeat": repeat,
    }


if __name__ == "__main__":
    for key, value in measure(Path(sys.argv[1]), Path(sys.argv[2])).items():
        print(f"{key:>32}: {value}")
