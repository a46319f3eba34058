"""All performance measures of butdata in one run: ``python benchmarks/run.py [--quick] [--json FILE]``.

Measures (see benchmarks/README.md for the method of each):

- ``build_seconds``: building the real store from data/sources (both documents), median;
- ``national_scale_cells``: coefficient values in the synthetic national store (``--scale``);
- ``query_scaling_ratio``: "compare parcours" / "weights per UE" latency, national / real;
- ``cohort_speedup``: 100,000-student year, plain-Python loop / vectorised;
- ``slider_rerun_ratio``: simulation page rerun after a slider move / Streamlit floor (AppTest);
- ``browser_slider_ms``: Chromium, key press → updated UE average (beside the "hello" floor).

Ratios are measured side by side in this run, repetitions interleaved. A measure that cannot run
here is reported as null with a ``not measured: ...`` reason, never estimated. ``--quick`` uses
fewer repetitions (a few minutes on 2 cores) at the same national scale; ``--tiny`` (tests only)
uses toy sizes and skips the browser.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import statistics
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, SOURCES, Workdir, cpu_count, ratio

NATIONAL_SCALE = 170  # sites per speciality: ≥ 3 million coefficient cells (goal's threshold)
GOALS = {
    "slider_rerun_ratio": ("≤", 1.5),
    "query_scaling_ratio": ("≤", 10.0),
    "cohort_speedup": ("≥", 100.0),
}

SIZES = {
    #          scale, query rep, slider rep, browser rep, cohort students, builds
    "full": dict(scale=NATIONAL_SCALE, query=40, slider=40, browser=30, students=100_000, builds=5),
    "quick": dict(
        scale=NATIONAL_SCALE, query=15, slider=15, browser=12, students=100_000, builds=3
    ),
    "tiny": dict(scale=1, query=2, slider=2, browser=0, students=2_000, builds=1),
}


def _guard(results: dict, name: str, fn, *keys: str) -> None:
    """Run one measure; on failure its metrics become null with the reason."""
    t0 = time.perf_counter()
    try:
        results.update(fn())
    except Exception as exc:
        traceback.print_exc(file=sys.stderr)
        for k in keys:
            results.setdefault(k, None)
        results[f"{name}_not_measured"] = f"not measured: {type(exc).__name__}: {exc}"
    print(f"  [{name}: {time.perf_counter() - t0:.1f} s]", file=sys.stderr, flush=True)


def measure_build(real_db: Path, builds: int) -> dict:
    from butdata.store import build_store

    build_store(SOURCES, real_db)  # warm-up (imports, first DuckDB file): not counted
    times = [
        build_store(SOURCES, real_db.with_name(f"rebuild-{i}.duckdb")).seconds
        for i in range(builds)
    ]
    out = {"build_seconds": round(statistics.median(times), 3), "build_repeat": builds}
    try:
        import bench_parse

        parse = bench_parse.measure(repeat=max(3, builds))
        out["parse_seconds"] = round(parse["total_best_s"], 3)
    except ImportError:
        pass
    return out


def measure_national(db: Path, scale: int) -> dict:
    from butdata.devtools.synth import write_synthetic_store

    rep = write_synthetic_store(db, scale=scale, seed=42)
    return {
        "national_scale_cells": rep.cells,
        "national_scale": scale,
        "national_tables": rep.rows["t_tables"],
        "synth_seconds": round(rep.seconds, 2),
        "national_source": rep.source,
    }


def measure_cohort(real_db: Path, students: int) -> dict:
    import bench_cohort

    r = bench_cohort.measure(students, db_path=real_db)
    if not r["agree"]:
        raise RuntimeError("vectorised and loop results differ")
    return {
        "cohort_speedup": r["speedup"],
        "cohort_loop_ms": round(r["loop_seconds"] * 1000, 1),
        "cohort_vectorised_ms": round(r["vectorised_seconds"] * 1000, 2),
        "cohort_floor_ratio": r["floor_ratio"],
        "cohort_floor_ms": round(r["floor_seconds"] * 1000, 2),
        "cohort_students": r["n_students"],
        "cohort_source": r["source"],
    }


def measure_queries(real_db: Path, nat_db: Path, repeat: int) -> dict:
    import bench_queries

    r = bench_queries.measure(real_db, nat_db, repeat=repeat)
    if "not_measured" in r:
        r["query_not_measured"] = r.pop("not_measured")
    return r


def measure_slider(real_db: Path, workdir: Path, repeat: int) -> dict:
    import bench_slider

    r = bench_slider.measure(real_db, workdir, repeat=repeat)
    if "not_measured" in r:
        r["slider_not_measured"] = r.pop("not_measured")
    return r


def measure_browser(real_db: Path, workdir: Path, repeat: int) -> dict:
    import bench_browser
    import bench_slider

    if repeat <= 0:
        return {
            "browser_slider_ms": None,
            "browser_hello_ms": None,
            "browser_not_measured": "not measured: --tiny (no browser)",
        }
    why = bench_browser.missing_browser() or bench_slider.missing_page()
    if why:
        return {
            "browser_slider_ms": None,
            "browser_hello_ms": None,
            "browser_not_measured": f"not measured: {why}",
        }
    env = {"BUTDATA_DB": str(real_db)}
    targets = [
        bench_browser.Target("hello", ROOT / "benchmarks" / "hello_slider.py", contains="Moyenne"),
        # First grade slider of the default selection; watched: every UE average card.
        bench_browser.Target(
            "page",
            ROOT / "app.py",
            url_path="Simulation_de_notes",
            slider=0,
            watch=".ue-avg",
            env=env,
        ),
    ]
    r = bench_browser.measure(targets, repeat=repeat)
    med = {k: bench_browser.median(v) for k, v in r.items()}
    return {
        "browser_slider_ms": med["page"],
        "browser_hello_ms": med["hello"],
        "browser_ratio": ratio(med["page"], med["hello"]),
        "browser_repeat": repeat,
    }


def run(size: str, scale: int | None, keep: bool) -> dict:
    cfg = dict(SIZES[size])
    if scale is not None:
        cfg["scale"] = scale
    results: dict = {
        "mode": size,
        "cpu_count": cpu_count(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    try:
        import duckdb
        import polars
        import streamlit

        results["versions"] = {
            "duckdb": duckdb.__version__,
            "polars": polars.__version__,
            "streamlit": streamlit.__version__,
        }
    except ImportError:
        pass
    with Workdir(keep) as wd:
        if keep:
            print(f"work directory kept: {wd}", file=sys.stderr)
        real_db, nat_db = wd / "real.duckdb", wd / "national.duckdb"
        _guard(results, "build", lambda: measure_build(real_db, cfg["builds"]), "build_seconds")
        if not real_db.exists():
            results["error"] = "the real store could not be built: nothing else can be measured"
            return results
        _guard(
            results,
            "national",
            lambda: measure_national(nat_db, cfg["scale"]),
            "national_scale_cells",
        )
        _guard(
            results, "cohort", lambda: measure_cohort(real_db, cfg["students"]), "cohort_speedup"
        )
        if nat_db.exists():
            _guard(
                results,
                "query",
                lambda: measure_queries(real_db, nat_db, cfg["query"]),
                "query_scaling_ratio",
            )
        _guard(
            results,
            "slider",
            lambda: measure_slider(real_db, wd, cfg["slider"]),
            "slider_rerun_ratio",
        )
        _guard(
            results,
            "browser",
            lambda: measure_browser(real_db, wd, cfg["browser"]),
            "browser_slider_ms",
            "browser_hello_ms",
        )
    goals = {}
    for key, (op, bound) in GOALS.items():
        v = results.get(key)
        goals[key] = None if v is None else (v <= bound if op == "≤" else v >= bound)
    if results.get("national_scale_cells") is not None:
        goals["national_scale_cells ≥ 3M"] = results["national_scale_cells"] >= 3_000_000
    results["goals_met"] = goals
    return results


ROWS = [
    (
        "slider_rerun_ratio",
        "slider rerun ratio (page / floor, AppTest)",
        "≤ 1.5",
        lambda r: f"{_ms(r, 'slider_rerun_page_ms')} / {_ms(r, 'slider_rerun_floor_ms')}",
    ),
    (
        "browser_slider_ms",
        "browser slider → UE average (ms)",
        "info",
        lambda r: f"hello script: {_ms(r, 'browser_hello_ms')}",
    ),
    (
        "query_scaling_ratio",
        "query scaling ratio (national / real)",
        "≤ 10",
        lambda r: (
            f"compare {_ms(r, 'compare_parcours_national_ms')} / {_ms(r, 'compare_parcours_real_ms')}"
            f"; weights {_ms(r, 'weights_per_ue_national_ms')} / {_ms(r, 'weights_per_ue_real_ms')}"
        ),
    ),
    (
        "cohort_speedup",
        "cohort speedup (loop / vectorised)",
        "≥ 100",
        lambda r: (
            f"{_ms(r, 'cohort_loop_ms')} / {_ms(r, 'cohort_vectorised_ms')} "
            f"({r.get('cohort_students')} students)"
        ),
    ),
    (
        "build_seconds",
        "build of data/sources (s)",
        "info",
        lambda r: f"parse only: {r.get('parse_seconds')} s",
    ),
    (
        "national_scale_cells",
        "cells in the national store",
        "≥ 3M",
        lambda r: (
            f"scale {r.get('national_scale')}, {r.get('national_tables')} tables, "
            f"written in {r.get('synth_seconds')} s"
        ),
    ),
]


def _ms(r: dict, key: str) -> str:
    v = r.get(key)
    return "—" if v is None else f"{v:g} ms"


def render(results: dict) -> str:
    lines = [
        f"butdata benchmarks ({results['mode']}) · {results['cpu_count']} CPU · "
        f"Python {results['python']} · {results.get('versions', {})}",
        "",
    ]
    w = max(len(label) for _, label, _, _ in ROWS)
    lines.append(f"{'measure':<{w}}  {'value':>12}  {'goal':<6} {'met':<4} medians behind it")
    for key, label, goal, detail in ROWS:
        v = results.get(key)
        met = results.get("goals_met", {}).get(key)
        if key == "national_scale_cells":
            met = results.get("goals_met", {}).get("national_scale_cells ≥ 3M")
        value = (
            "null"
            if v is None
            else (f"{v:,}".replace(",", " ") if isinstance(v, int) else f"{v:g}")
        )
        mark = "" if met is None else ("yes" if met else "NO")
        lines.append(f"{label:<{w}}  {value:>12}  {goal:<6} {mark:<4} {detail(results)}")
    notes = [f"  {k}: {v}" for k, v in results.items() if k.endswith("not_measured")]
    if notes:
        lines += ["", "not measured:"] + notes
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a few minutes)")
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="toy sizes, no browser (for the smoke test; figures meaningless)",
    )
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    parser.add_argument(
        "--scale", type=int, help=f"national store scale (default {NATIONAL_SCALE})"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory (stores)")
    args = parser.parse_args(argv)
    logging.getLogger("streamlit").setLevel(logging.ERROR)
    size = "tiny" if args.tiny else "quick" if args.quick else "full"
    command = (
        "python benchmarks/run.py"
        + (" --quick" if args.quick else "")
        + (" --tiny" if args.tiny else "")
        + (f" --scale {args.scale}" if args.scale else "")
    )
    t0 = time.perf_counter()
    results = run(size, args.scale, args.keep)
    results["command"] = command
    results["total_seconds"] = round(time.perf_counter() - t0, 1)
    print(render(results))
    print(f"\n({results['total_seconds']} s; {command})")
    if args.json:
        args.json.write_text(
            json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return 0 if "error" not in results else 1


if __name__ == "__main__":
    sys.exit(main())
