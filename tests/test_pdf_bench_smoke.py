"""`benchmarks/bench_pdf.py` runs end to end on a tiny document (nothing timed is asserted:
benchmarks are not tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_pdf_reports_its_ratio(tmp_path):
    out = tmp_path / "bench_pdf.json"
    proc = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_pdf.py",
            "--pages",
            "2",
            "--repeat",
            "1",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["pdf_read_ratio"] > 0 and data["pdf_pages"] == 2 and data["pdf_tables"] == 2
    assert data["pdf_complete"] == 2  # the generated totals hold
    assert proc.stdout.startswith("pdf_read_ratio = ")
