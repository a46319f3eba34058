"""A fresh server's first page waits for the imports of the home page's modules: the heavy
libraries it does not need before its first table or first « Imprimer / PDF » stay out of them
(imported later, they load while the browser is busy: an eager ``import pyarrow`` in
``ui.tables`` made the home page of a fresh clone ≈ 0.8 s slower, measured with
``benchmarks/bench_server.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LAZY = ("pyarrow", "pandas", "reportlab", "openpyxl", "pdfplumber")


def test_the_home_page_modules_leave_the_heavy_libraries_for_later():
    code = (
        "import sys\n"
        "import ui.layout, ui.overview, ui.conformity_view, ui.tables, ui.data, ui.store\n"
        f"print(','.join(m for m in {LAZY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "", f"imported at start: {done.stdout.strip()}"


def test_the_build_chart_loader_is_hidden_by_the_page_frame():
    """The empty chart that loads plotly.js during a build is hidden by the frame's CSS, which
    must name its container (the CSS is a constant string: the HTML check wants it so)."""
    from ui import layout, store

    assert f".st-key-{store.CHART_LIBRARY_KEY} {{display: none !important;}}" in layout._CSS
