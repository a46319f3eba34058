"""Every page through every selection of the real store, under AppTest: every formation ×
semester (× document/site), every period on Simulation, every table on Données, and table
subsets on Comparer and Poids par UE (each table alone, every pair, the first six together).
Zero exceptions, zero « erreur inattendue », and the URL always says what is displayed."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from butdata.analysis import queries as q

APP = Path(__file__).parents[1] / "app.py"
COMPARE = "pages/1_Comparer_les_parcours.py"
WEIGHTS = "pages/2_Poids_par_UE.py"
SIMULATION = "pages/3_Simulation_de_notes.py"
DATA = "pages/4_Donnees.py"


@pytest.fixture(autouse=True)
def _fresh(store_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("BUTDATA_DB", str(store_path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _open(page: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    return at.switch_page(page).run()


def _clean(at: AppTest, what: object, seen: list[object]) -> None:
    seen.append(what)
    assert not at.exception, (what, [e.value for e in at.exception])
    assert not at.error, (what, [e.value for e in at.error])
    texts = [m.value for m in (*at.markdown, *at.info, *at.warning)]
    assert not any("erreur inattendue" in t for t in texts), what


def _has(widgets, key: str) -> bool:
    return any(w.key == key for w in widgets)


def _param(at: AppTest, key: str) -> list[str]:
    value = at.query_params[key]
    return [value] if isinstance(value, str) else list(value)


def _semesters(con) -> list[tuple[str, int]]:
    return [(f, s) for f in q.formations(con)["formation"].to_list() for s in q.semesters(con, f)]


def _subsets(ids: list[str]) -> list[list[str]]:
    return [[i] for i in ids] + [list(p) for p in itertools.combinations(ids, 2)] + [ids[:6]]


@pytest.mark.parametrize("page,key", [(COMPARE, "parcours"), (WEIGHTS, "tableaux")])
def test_walk_tables_pages(con, page, key):
    at, seen = _open(page), []
    _clean(at, page, seen)
    for formation, semester in _semesters(con):
        at.selectbox(key="formation").set_value(formation).run()
        at.selectbox(key="semestre").set_value(semester).run()
        _clean(at, (formation, semester), seen)
        assert _param(at, "formation") == [formation] and _param(at, "semestre") == [f"S{semester}"]
        docs = at.selectbox(key="document").options if _has(at.selectbox, "document") else []
        for doc in [None, *docs[1:]]:
            if doc is not None:
                at.selectbox(key="document").set_value(doc).run()
                _clean(at, (formation, semester, doc), seen)
            pills = at.pills(key=key)
            ids = _option_ids(con, formation, semester, doc)
            assert len(ids) == len(pills.options), (formation, semester, doc)
            for subset in _subsets(ids):
                at.pills(key=key).set_value(subset).run()
                _clean(at, (formation, semester, doc, subset), seen)
                assert len(_param(at, key)) == len(at.pills(key=key).value)
        if docs:
            at.selectbox(key="document").set_value(docs[0]).run()
    assert len(seen) > 400


def _option_ids(con, formation: str, semester: int, doc: str | None) -> list[str]:
    t = q.tables_of(con, formation, semester)
    if doc is not None:
        t = t.filter(t["doc"] == doc)
    return t["table_id"].to_list()


def test_walk_weights_across_formations():
    at, seen = _open(WEIGHTS), []
    at.segmented_control(key="vue").set_value("toutes").run()
    _clean(at, "toutes", seen)
    for level in at.selectbox(key="niveau").options:
        at.selectbox(key="niveau").set_value(_level_value(level)).run()
        _clean(at, level, seen)


def _level_value(label: str) -> str:
    from ui.weights import LEVEL_LABELS

    return next(k for k, v in LEVEL_LABELS.items() if v == label)


def test_walk_simulation_periods(con):
    at, seen = _open(SIMULATION), []
    for formation in q.formations(con)["formation"].to_list():
        at.selectbox(key="formation").set_value(formation).run()
        _clean(at, formation, seen)
        periods = at.selectbox(key="periode").options
        for period in periods:
            at.selectbox(key="periode").set_value(period.removesuffix(" (vide)")).run()
            _clean(at, (formation, period), seen)
            assert _param(at, "periode") == [at.selectbox(key="periode").value]
            if _has(at.button, "preset_12"):
                at.button(key="preset_12").click().run()
                _clean(at, (formation, period, "12"), seen)
    assert len(seen) > 150


def test_walk_data_tables(con):
    at, seen = _open(DATA), []
    for formation, semester in _semesters(con):
        at.selectbox(key="formation").set_value(formation).run()
        at.selectbox(key="semestre").set_value(semester).run()
        for tid in q.tables_of(con, formation, semester)["table_id"].to_list():
            at.selectbox(key="tableau").set_value(tid).run()
            _clean(at, (formation, semester, tid), seen)
    assert len(seen) >= 132


SCENARIOS = "pages/5_Scenarios.py"


def test_walk_scenario_origins(con):
    # a new scenario from every table and year of every formation: the editor, the conformity,
    # the difference and the impact open on each
    at, seen = _open(SCENARIOS), []
    for formation in q.formations(con)["formation"].to_list():
        at.selectbox(key="formation").set_value(formation).run()
        _clean(at, formation, seen)
        if not _has(at.selectbox, "origine"):
            continue
        for origin in at.selectbox(key="origine").options:
            at.selectbox(key="origine").set_value(origin).run()
            _clean(at, (formation, origin), seen)
            assert _param(at, "origine") == [at.selectbox(key="origine").value]
    assert len(seen) > 60
