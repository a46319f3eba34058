"""Slider-move rerun of the simulation page vs Streamlit's floor for it (AppTest, warm).

The page is opened the way a user gets there (``app.py``, then ``switch_page``) on the real
store; the floor is ``benchmarks/floor_simulation.py`` fed with constant data taken from the same
selection (the page's default: QLIO, first year). Both then move the same grade slider, values
alternating, one rerun of each in turn; the ratio is page median / floor median. Under AppTest a
change inside ``st.fragment`` reruns the whole script, so this measures the full page rerun (the
browser, with the fragment, does less).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, interleaved, median_ms, ratio

PAGE = "pages/3_Simulation_de_notes.py"
FLOOR = ROOT / "benchmarks" / "floor_simulation.py"
FORMATION = "QLIO"


def missing_page() -> str | None:
    if not (ROOT / PAGE).exists():
        return f"{PAGE} does not exist yet"
    try:
        from ui import simulation_view
    except ImportError as exc:
        return f"ui.simulation_view not importable ({exc})"
    for name in ("build_spec", "render_controls", "to_view", "render_results", "slider_key"):
        if not hasattr(simulation_view, name):
            return f"ui.simulation_view lacks {name}"
    return None


def floor_data(db_path: Path, out: Path) -> dict:
    """Constant data of the page's default selection, as the page would show it; written to
    ``out`` (JSON). Returns the selection (table ids, slider code)."""
    from butdata.analysis import queries as Q
    from butdata.grading import student as sim
    from butdata.grading.rules import DEFAULT_RULES, Rules
    from butdata.store import open_store
    from ui import layout, simulation_view

    con = open_store(db_path)
    try:
        f = Q.formations(con)
        codes = f["formation"].to_list()
        options = Q.year_options(con, FORMATION)
        labels = options["label"].to_list()
        years = options.filter(options["kind"] == "année")["label"].to_list()
        index = labels.index(years[0]) if years else 0
        ids = options["table_ids"][index].to_list()
        tables = Q.table_rows(con, ids)
        coefs, ues, mods = Q.coefficients_of(con, ids), Q.ues_of(con, ids), Q.modules_of(con, ids)
    finally:
        con.close()
    spec = simulation_view.build_spec(tables, coefs, ues, mods, ids)
    first = spec["codes"][0]
    result = sim.simulate(coefs, ues, ids, {first: 12.0}, modes=spec["modes"])
    prov = []
    for r in tables.iter_rows(named=True):
        prov.append(
            f"**{r['label']}** — statut **{r['status']}** — source : `{r['source']}`, "
            f"ligne {r['source_line']} — « {r.get('title') or ''} »"
        )
    try:
        nav = [label for _, label, _ in layout.nav_entries()]
    except Exception:
        nav = ["Vue d'ensemble", "Comparer les parcours", "Poids par UE", "Simulation de notes"]
    data = {
        "spec": spec,
        "view": simulation_view.to_view(result, spec),
        "formations": codes,
        "formation_index": codes.index(FORMATION),
        "formation_name": dict(zip(codes, f["formation_name"].to_list()))[FORMATION] or "",
        "labels": labels,
        "label_index": index,
        "provenance": "  \n".join(prov),
        "nav": nav,
        "nav_caption": "Les choix de chaque page sont dans l'adresse (URL).",
        "intro": "Choisissez un semestre ou une année, puis déplacez les curseurs.",
        "rules": [
            {
                "réglage": d["label"],
                "valeur": str(getattr(DEFAULT_RULES, d["name"])),
                "source": d["source"],
            }
            for d in Rules.describe()
        ],
    }
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return {"table_ids": ids, "slider": simulation_view.slider_key(first)}


def measure(db_path: Path, workdir: Path, repeat: int = 20, warmup: int = 3) -> dict:
    why = missing_page()
    if why:
        return {"slider_rerun_ratio": None, "not_measured": f"not measured: {why}"}
    from streamlit.testing.v1 import AppTest

    data_path = workdir / "floor_data.json"
    sel = floor_data(db_path, data_path)
    os.environ["BUTDATA_DB"] = str(db_path)
    os.environ["BUTDATA_FLOOR_DATA"] = str(data_path)
    page = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    page.run()
    page.switch_page(PAGE).run()
    floor = AppTest.from_file(str(FLOOR), default_timeout=120)
    floor.run()
    for at, name in ((page, "page"), (floor, "floor")):
        if at.exception:
            raise RuntimeError(f"{name} failed: {at.exception[0].message}")

    def move(at):
        def go():
            v = 13.0 if at.select_slider(key=sel["slider"]).value == 12.0 else 12.0
            at.select_slider(key=sel["slider"]).set_value(v).run()

        return go

    times = interleaved({"page": move(page), "floor": move(floor)}, repeat=repeat, warmup=warmup)
    for at, name in ((page, "page"), (floor, "floor")):
        if at.exception:
            raise RuntimeError(f"{name} failed: {at.exception[0].message}")
    p, f = median_ms(times["page"]), median_ms(times["floor"])
    return {
        "slider_rerun_ratio": ratio(p, f),
        "slider_rerun_page_ms": p,
        "slider_rerun_floor_ms": f,
        "slider_rerun_repeat": repeat,
        "slider_table_ids": sel["table_ids"],
        "slider_key": sel["slider"],
    }


if __name__ == "__main__":
    from common import Workdir, build_real_store

    with Workdir() as wd:
        db = wd / "real.duckdb"
        build_real_store(db)
        for k, v in measure(db, wd, repeat=int(sys.argv[1]) if len(sys.argv) > 1 else 10).items():
            print(f"{k:>24}: {v}")
