"""Warm rerun of every page after a selection change, against that page's generic floor
(AppTest; issue « Performance v2 »: ``page_rerun_ratio`` per page, max ≤ 1.3).

Each page is opened as a user gets there (``app.py``, then ``switch_page``) on the real store;
its selection change alternates one select box between two of its options (home page: it has
no selector, a plain rerun). After the warm-up the page's drawing is captured
(``page_floor.capture``) and ``floor_page.py`` redraws it from constant data; the floor then
gets the same change on its widget of the same key. Page and floor reruns alternate
(``common.interleaved``); the ratio is page median / floor median.

``measure_slider`` is the same for a grade-slider move on the Simulation page
(``slider_rerun_ratio``). Under AppTest a change inside ``st.fragment`` reruns the whole script
(page and floor alike).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import page_floor
from common import ROOT, interleaved, median_ms, ratio

FLOOR = ROOT / "benchmarks" / "floor_page.py"
last_slider_key = ""  # the slider measure_slider moved (the browser benchmark moves it too)
SIMULATION = "pages/3_Simulation_de_notes.py"
# page (None: the home page), the select box whose choice changes (None: plain rerun) and two
# of its values (None: its first two options, when they are shown as they are)
PAGES: list[tuple[str, str | None, str | None, tuple[Any, Any] | None]] = [
    ("accueil", None, None, None),
    ("comparer", "pages/1_Comparer_les_parcours.py", "semestre", (3, 4)),
    ("poids", "pages/2_Poids_par_UE.py", "semestre", (3, 4)),
    ("simulation", SIMULATION, "periode", None),
    ("donnees", "pages/4_Donnees.py", "tableau", ("000-qlio-s3-mp", "000-qlio-s3-osc")),
]


def share_script_cache() -> None:
    """AppTest compiles each script (and rewrites it for Streamlit's « magic ») on every run,
    with a new ``ScriptCache``; a server does it once per file. One shared cache gives page and
    floor the server's behaviour (it cost the pages ≈ 15-25 ms a rerun, the floor nothing)."""
    from streamlit.runtime.scriptrunner.script_cache import ScriptCache
    from streamlit.testing.v1 import app_test, local_script_runner

    shared = ScriptCache()
    app_test.ScriptCache = lambda: shared  # type: ignore[misc]
    local_script_runner.ScriptCache = lambda: shared  # type: ignore[misc]


def _open(page: str | None):
    from streamlit.testing.v1 import AppTest

    share_script_cache()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    if page:
        at.switch_page(page).run()
    _check(at, page or "app.py")
    return at


def _check(at, name: str) -> None:
    if at.exception:
        raise RuntimeError(f"{name}: {at.exception[0].message}")
    errors = [e.value for e in at.error]
    if errors:
        raise RuntimeError(f"{name}: error box: {errors[0]}")


def _floor(tree_path: Path):
    from streamlit.testing.v1 import AppTest

    os.environ["BUTDATA_FLOOR_TREE"] = str(tree_path)
    at = AppTest.from_file(str(FLOOR), default_timeout=120)
    at.run()
    _check(at, "floor")
    return at


def _toggle(
    kind: str, key: str | None, values: tuple[Any, Any]
) -> Callable[[Any], Callable[[], None]]:
    """A change of the widget ``key`` (kind: AppTest accessor) between two values."""

    def make(at) -> Callable[[], None]:
        def go() -> None:
            if key is None:
                at.run()
                return
            w = getattr(at, kind)(key=key)
            w.set_value(values[1] if w.value == values[0] else values[0]).run()

        return go

    return make


def _select_values(at, key: str | None, values: tuple[Any, Any] | None) -> tuple[Any, Any]:
    if key is None:
        return (None, None)
    if values is None:
        options = at.selectbox(key=key).options
        return (options[0], options[1])
    return values


def _labels(at, key: str | None, values: tuple[Any, Any]) -> tuple[Any, Any]:
    """How the page shows ``values`` (the floor's select box holds the labels)."""
    if key is None:
        return values
    out = []
    for v in values:
        box = at.selectbox(key=key).set_value(v)
        box.run()
        box = at.selectbox(key=key)
        out.append(box.options[box.index])
    return (out[0], out[1])


def _pair(
    name: str,
    page: str | None,
    change: Callable[[Any], Callable[[], None]],
    workdir: Path,
    repeat: int,
    warmup: int,
    floor_change: Callable[[Any], Callable[[], None]] | None = None,
) -> dict[str, Any]:
    page_floor.install()
    at = _open(page)
    go = change(at)
    for _ in range(2):  # both states seen once: caches warm
        go()
    _check(at, name)
    tree_path = workdir / f"floor-{name}.pickle"
    tree = page_floor.capture(tree_path)
    floor = _floor(tree_path)
    floor_go = (floor_change or change)(floor)
    times = interleaved({"page": go, "floor": floor_go}, repeat=repeat, warmup=warmup)
    _check(at, name)
    _check(floor, f"floor of {name}")
    p, f = median_ms(times["page"]), median_ms(times["floor"])
    return {
        "ratio": ratio(p, f),
        "page_ms": p,
        "floor_ms": f,
        "elements": page_floor.count(tree["main"]) + page_floor.count(tree["sidebar"]),
        "unmapped": sorted(set(tree["unmapped"])),
    }


def measure(db_path: Path, workdir: Path, repeat: int = 15, warmup: int = 3) -> dict[str, Any]:
    os.environ["BUTDATA_DB"] = str(db_path)
    out: dict[str, Any] = {}
    for name, page, key, wanted in PAGES:
        at = _open(page)
        values = _select_values(at, key, wanted)
        labels = _labels(at, key, values)
        r = _pair(
            name,
            page,
            _toggle("selectbox", key, values),
            workdir,
            repeat,
            warmup,
            floor_change=_toggle("selectbox", key, labels),
        )
        out[f"page_rerun_ratio_{name}"] = r["ratio"]
        out[f"page_rerun_{name}_ms"] = r["page_ms"]
        out[f"page_rerun_{name}_floor_ms"] = r["floor_ms"]
        out[f"page_rerun_{name}_elements"] = r["elements"]
        if r["unmapped"]:
            out[f"page_rerun_{name}_unmapped"] = r["unmapped"]
    ratios = [v for k, v in out.items() if k.startswith("page_rerun_ratio_") and v is not None]
    out["page_rerun_ratio_max"] = max(ratios) if len(ratios) == len(PAGES) else None
    out["page_rerun_repeat"] = repeat
    return out


def first_slider_key(at) -> str:
    from ui import simulation_view

    prefix = simulation_view.slider_key("")
    keys = [s.key for s in at.select_slider if s.key and s.key.startswith(prefix)]
    if not keys:
        raise RuntimeError("no grade slider on the Simulation page")
    return keys[0]


def measure_slider(db_path: Path, workdir: Path, repeat: int = 15, warmup: int = 3) -> dict:
    os.environ["BUTDATA_DB"] = str(db_path)
    at = _open(SIMULATION)
    global last_slider_key
    key = last_slider_key = first_slider_key(at)
    grades = ("12", "13")  # two options of a grade slider (its labels), page and floor
    r = _pair("slider", SIMULATION, _toggle("select_slider", key, grades), workdir, repeat, warmup)
    return {
        "slider_rerun_ratio": r["ratio"],
        "slider_rerun_page_ms": r["page_ms"],
        "slider_rerun_floor_ms": r["floor_ms"],
        "slider_rerun_repeat": repeat,
        "slider_key": key,
    }


if __name__ == "__main__":
    from common import Workdir, build_real_store

    with Workdir() as wd:
        db = wd / "real.duckdb"
        build_real_store(db)
        n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
        for k, v in {**measure(db, wd, n), **measure_slider(db, wd, n)}.items():
            print(f"{k:>36}: {v}")
