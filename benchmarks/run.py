"""All performance measures of butdata in one run: ``python benchmarks/run.py [--quick] [--json FILE]``.

Measures (see benchmarks/README.md for the method of each):

- ``build_seconds``: building the real store from data/sources (both documents), median;
- ``national_scale_cells``: coefficient values in the synthetic national store (``--scale``);
- ``query_scaling_ratio``: "compare parcours" / "weights per UE" latency, national / real;
- ``cohort_floor_ratio``: the same vectorised year / one pass of its grades through the same
  matrix product; ``cohort_speedup``: plain-Python loop (single-student engine) / vectorised;
- ``page_rerun_ratio_<page>``, ``page_rerun_ratio_max``: each page's warm rerun after a
  selection change / its generic floor (same drawing from constant data, AppTest);
- ``slider_rerun_ratio``: Simulation page rerun after a grade-slider move / its floor (AppTest);
- ``browser_slider_ratio``: Chromium, key press → updated UE card, page / its floor served alike;
- ``pdf_read_ratio``: a 60-page MCC PDF read into tables / pdfplumber's bare ``page.chars``;
- ``first_page_ratio``: fresh copy, server start → home page in Chromium / same for a hello
  script; ``server_rss_mib``: app server RSS after 20 sessions used every page;
  ``setup_seconds``: fresh copy → ``make``'s install rule → server healthy (information).

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
    "page_rerun_ratio_max": ("≤", 1.3),
    "slider_rerun_ratio": ("≤", 1.15),
    "browser_slider_ratio": ("≤", 1.3),
    "query_scaling_ratio": ("≤", 2.0),
    "cohort_floor_ratio": ("≤", 2.5),
    "pdf_read_ratio": ("≤", 2.0),
    "first_page_ratio": ("≤", 2.0),
}

SIZES = {
    # scale, repetitions (query, slider, pages, browser, pdf, first page), cohort students,
    # builds, browser sessions for the memory figure, PDF pages; browser 0: no server measures
    "full": dict(
        scale=NATIONAL_SCALE,
        query=40,
        slider=40,
        pages=30,
        browser=30,
        pdf=7,
        first=5,
        students=100_000,
        builds=5,
        sessions=20,
        pdf_pages=60,
    ),
    "quick": dict(
        scale=NATIONAL_SCALE,
        query=15,
        # The AppTest pairs cost ≈ 0.1 s a repetition: with 12-15 the same page gave 1.09-1.30
        # in three measures in one process, with 30-40 it gave 1.12-1.21 (bench_pages._pair).
        slider=40,
        pages=30,
        browser=12,
        pdf=5,
        first=3,
        students=100_000,
        builds=3,
        sessions=20,
        pdf_pages=60,
    ),
    "tiny": dict(
        scale=1,
        query=2,
        slider=2,
        pages=2,
        browser=0,
        pdf=1,
        first=0,
        students=2_000,
        builds=1,
        sessions=0,
        pdf_pages=2,
    ),
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
        "cohort_product_floor_ratio": r["product_floor_ratio"],
        "cohort_product_ms": round(r["product_seconds"] * 1000, 2),
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
    import bench_pages

    return bench_pages.measure_slider(real_db, workdir, repeat=repeat)


def measure_pages(real_db: Path, workdir: Path, repeat: int) -> dict:
    import bench_pages

    return bench_pages.measure(real_db, workdir, repeat=repeat)


def measure_pdf(repeat: int, pages: int) -> dict:
    import bench_pdf

    return bench_pdf.measure(pages=pages, repeat=repeat)


def _no_browser(keys: tuple[str, ...], why: str) -> dict:
    return {**{k: None for k in keys}, "browser_not_measured": f"not measured: {why}"}


BROWSER_KEYS = ("browser_slider_ratio", "browser_slider_ms", "browser_floor_ms", "browser_hello_ms")


def measure_browser(real_db: Path, workdir: Path, repeat: int) -> dict:
    import bench_browser
    import bench_pages

    if repeat <= 0:
        return _no_browser(BROWSER_KEYS, "--tiny (no browser)")
    why = bench_browser.missing_browser()
    tree = workdir / "floor-slider.pickle"  # written by measure_slider
    if why or not tree.exists():
        return _no_browser(BROWSER_KEYS, why or "no floor of the Simulation page (slider failed)")
    key = bench_pages.last_slider_key
    env = {"BUTDATA_DB": str(real_db)}
    floor_env = {"BUTDATA_FLOOR_TREE": str(tree), "BUTDATA_FLOOR_ECHO": f"ue-avg|{key}"}
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
        bench_browser.Target(
            "floor", ROOT / "benchmarks" / "floor_page.py", slider=0, watch=".ue-avg", env=floor_env
        ),
    ]
    r = bench_browser.measure(targets, repeat=repeat)
    med = {k: bench_browser.median(v) for k, v in r.items()}
    return {
        "browser_slider_ratio": ratio(med["page"], med["floor"]),
        "browser_slider_ms": med["page"],
        "browser_floor_ms": med["floor"],
        "browser_hello_ms": med["hello"],
        "browser_repeat": repeat,
    }


SERVER_KEYS = ("first_page_ratio", "server_rss_mib", "setup_seconds")


def measure_server(real_db: Path, workdir: Path, cfg: dict) -> dict:
    import bench_browser
    import bench_server

    if cfg["first"] <= 0:
        return {
            **{k: None for k in SERVER_KEYS},
            "server_not_measured": "not measured: --tiny (no browser)",
        }
    why = bench_browser.missing_browser()
    if why:
        return {**{k: None for k in SERVER_KEYS}, "server_not_measured": f"not measured: {why}"}
    out = bench_server.first_page(workdir, repeat=cfg["first"])
    out.update(bench_server.server_rss(real_db, sessions=cfg["sessions"]))
    out.update(bench_server.setup_seconds(workdir))
    return out


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
            "pages",
            lambda: measure_pages(real_db, wd, cfg["pages"]),
            "page_rerun_ratio_max",
        )
        _guard(
            results,
            "pdf",
            lambda: measure_pdf(cfg["pdf"], cfg["pdf_pages"]),
            "pdf_read_ratio",
        )
        _guard(
            results,
            "browser",
            lambda: measure_browser(real_db, wd, cfg["browser"]),
            *BROWSER_KEYS,
        )
        _guard(results, "server", lambda: measure_server(real_db, wd, cfg), *SERVER_KEYS)
    goals = {}
    for key, (op, bound) in GOALS.items():
        v = results.get(key)
        goals[key] = None if v is None else (v <= bound if op == "≤" else v >= bound)
    if results.get("national_scale_cells") is not None:
        goals["national_scale_cells ≥ 3M"] = results["national_scale_cells"] >= 3_000_000
    results["goals_met"] = goals
    return results


def _pages(r: dict) -> str:
    names = [k.removeprefix("page_rerun_ratio_") for k in r if k.startswith("page_rerun_ratio_")]
    return " ".join(f"{n} {r[f'page_rerun_ratio_{n}']}" for n in names if n != "max")


ROWS = [
    ("page_rerun_ratio_max", "page rerun ratio, worst page (AppTest)", "≤ 1.3", _pages),
    (
        "slider_rerun_ratio",
        "slider rerun ratio (page / floor, AppTest)",
        "≤ 1.15",
        lambda r: f"{_ms(r, 'slider_rerun_page_ms')} / {_ms(r, 'slider_rerun_floor_ms')}",
    ),
    (
        "browser_slider_ratio",
        "browser slider → UE card (page / floor)",
        "≤ 1.3",
        lambda r: (
            f"{_ms(r, 'browser_slider_ms')} / {_ms(r, 'browser_floor_ms')}"
            f"; hello script {_ms(r, 'browser_hello_ms')}"
        ),
    ),
    (
        "query_scaling_ratio",
        "query scaling ratio (national / real)",
        "≤ 2",
        lambda r: (
            f"compare {_ms(r, 'compare_parcours_national_ms')} / {_ms(r, 'compare_parcours_real_ms')}"
            f"; weights {_ms(r, 'weights_per_ue_national_ms')} / {_ms(r, 'weights_per_ue_real_ms')}"
        ),
    ),
    (
        "cohort_floor_ratio",
        "cohort / floor (one matrix product)",
        "≤ 2.5",
        lambda r: f"{_ms(r, 'cohort_vectorised_ms')} / {_ms(r, 'cohort_floor_ms')}",
    ),
    (
        "cohort_product_floor_ratio",
        "cohort's own product alone / floor",
        "info",
        lambda r: f"{_ms(r, 'cohort_product_ms')} / {_ms(r, 'cohort_floor_ms')} (sums and weights)",
    ),
    (
        "cohort_speedup",
        "cohort speedup (loop / vectorised)",
        "info",
        lambda r: (
            f"{_ms(r, 'cohort_loop_ms')} / {_ms(r, 'cohort_vectorised_ms')} "
            f"({r.get('cohort_students')} students)"
        ),
    ),
    (
        "pdf_read_ratio",
        "PDF read / pdfplumber chars",
        "≤ 2",
        lambda r: (
            f"{_ms(r, 'pdf_read_ms')} / {_ms(r, 'pdf_chars_ms')} ({r.get('pdf_pages')} pages)"
        ),
    ),
    (
        "first_page_ratio",
        "first page, fresh copy (app / hello)",
        "≤ 2",
        lambda r: f"{r.get('first_page_seconds')} s / {r.get('first_page_hello_seconds')} s",
    ),
    (
        "server_rss_mib",
        "server RSS after sessions (MiB)",
        "info",
        lambda r: (
            f"{r.get('server_rss_sessions')} sessions, peak {r.get('server_rss_peak_mib')}, "
            f"at start {r.get('server_rss_start_mib')}"
        ),
    ),
    (
        "setup_seconds",
        "setup, fresh copy → serving (s)",
        "info",
        lambda r: (
            f"install {r.get('setup_install_seconds')} s, server {r.get('setup_server_seconds')} s"
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
