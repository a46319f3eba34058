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

# butdata.charts: its house template takes ≈ 0,1 s to build; the home page's map is HTML
LAZY = ("pyarrow", "pandas", "reportlab", "openpyxl", "pdfplumber", "butdata.charts")


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


def test_a_table_drawn_from_a_polars_frame_does_not_import_pandas():
    """Streamlit's default ``lazy=None`` imports pandas to check a table's type (≈ 0,3 s on a
    fresh server's home page); below its lazy-loading size ``show_table`` says ``lazy=False``,
    which draws the same table. Bare mode: AppTest skips that check, so it could not fail."""
    code = (
        "import sys\n"
        "import polars as pl\n"
        "from ui.tables import show_table\n"
        "show_table(pl.DataFrame({'UE': ['UE11', 'UE12'], 'coef': [1.5, None]}))\n"
        "print('pandas' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False", done.stdout


def test_show_table_eager_size_is_streamlit_s_own():
    """``lazy=False`` up to EAGER_ROWS changes nothing only while Streamlit loads by chunks
    above that size and not below."""
    from streamlit.dataframe import lazy_df_source

    from ui.tables import EAGER_ROWS

    assert lazy_df_source.AUTO_LAZY_ROW_THRESHOLD == EAGER_ROWS
