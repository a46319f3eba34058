"""`benchmarks/run.py --quick` works end to end on toy sizes (--tiny). Nothing timed is asserted:
benchmarks are not tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = (
    "slider_rerun_ratio",
    "browser_slider_ms",
    "browser_hello_ms",
    "query_scaling_ratio",
    "cohort_speedup",
    "build_seconds",
    "national_scale_cells",
    "cpu_count",
    "slider_rerun_page_ms",
    "slider_rerun_floor_ms",
    "compare_parcours_real_ms",
    "compare_parcours_national_ms",
    "weights_per_ue_real_ms",
    "weights_per_ue_national_ms",
    "cohort_loop_ms",
    "cohort_vectorised_ms",
    # issue « Performance v2 »
    "page_rerun_ratio_max",
    "page_rerun_ratio_accueil",
    "page_rerun_ratio_comparer",
    "page_rerun_ratio_poids",
    "page_rerun_ratio_simulation",
    "page_rerun_ratio_donnees",
    "browser_slider_ratio",
    "cohort_floor_ratio",
    "cohort_floor_ms",
    "cohort_product_floor_ratio",
    "pdf_read_ratio",
    "first_page_ratio",
    "setup_seconds",
    "server_rss_mib",
)


def test_quick_run_on_tiny_sizes_writes_every_metric(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--quick",
            "--tiny",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    for key in KEYS:
        assert key in data, key
    assert data["national_scale_cells"] > 0 and data["cpu_count"] >= 1
    # Anything not measured says why (never a silent null).
    for key in (
        "slider_rerun_ratio",
        "query_scaling_ratio",
        "cohort_speedup",
        "build_seconds",
        "page_rerun_ratio_max",
        "cohort_floor_ratio",
        "pdf_read_ratio",
    ):
        if data[key] is None:
            assert any(k.endswith("not_measured") for k in data), key
    assert (
        data["browser_slider_ms"] is None and "browser_not_measured" in data
    )  # --tiny: no browser
    assert data["first_page_ratio"] is None and "server_not_measured" in data
    # the per-page ratios were measured (AppTest), each page against its own floor
    assert all(data[f"page_rerun_ratio_{p}"] is not None for p in ("accueil", "simulation"))
    assert "slider rerun ratio" in proc.stdout and "query scaling ratio" in proc.stdout
