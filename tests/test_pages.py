"""Every page under Streamlit's AppTest, on the store built from both real documents."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import QLIO, source_line
from streamlit.testing.v1 import AppTest

APP = Path(__file__).parents[1] / "app.py"
COMPARE = "pages/1_Comparer_les_parcours.py"
WEIGHTS = "pages/2_Poids_par_UE.py"
SIMULATION = "pages/3_Simulation_de_notes.py"


@pytest.fixture(autouse=True)
def _fresh(store_path, monkeypatch):
    """Pages read the test store; caches do not leak between tests."""
    import streamlit as st

    monkeypatch.setenv("BUTDATA_DB", str(store_path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _run(page: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    if page is None:
        for k, v in params.items():
            at.query_params[k] = v
        return at.run()
    at.run()
    for k, v in params.items():
        at.query_params[k] = v
    return at.switch_page(page).run()


def _ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


def _card(at: AppTest, ue_key: str) -> str:
    cards = [m.value for m in at.markdown if f"data-ue='{ue_key}'" in m.value]
    assert cards, f"no card {ue_key}"
    return cards[0]


def test_home_renders_counts_and_both_documents():
    at = _run()
    _ok(at)
    assert at.title[0].value == "Vue d'ensemble"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == "2"
    assert int(metrics["Complets"]) + int(metrics["Partiels"]) + int(metrics["Vides"]) == int(
        metrics["Tableaux"]
    )
    assert len(at.tabs) == 2 and len(at.dataframe) >= 3


def test_compare_renders_and_semester_changes_what_is_shown():
    at = _run(COMPARE)
    _ok(at)
    assert "Semestre 3 BUT QLIO" in _captions(at)
    at.selectbox(key="semestre").set_value(5).run()
    _ok(at)
    assert "Semestre 5" in _captions(at) and "Semestre 3 BUT QLIO" not in _captions(at)


def test_compare_across_documents_says_why_ue_level():
    at = _run(COMPARE)
    options = at.multiselect(key="parcours").options
    doc004 = [o for o in options if "doc 004" in o]
    assert doc004, options
    at.multiselect(key="parcours").set_value(["QMI · doc 000", doc004[0]]).run()
    _ok(at)
    assert any("valeur non attribuable à un module" in w.value for w in at.warning)
    assert "004_8659784350827029.txt" in _captions(at)


def test_compare_deep_link_query_params():
    at = _run(COMPARE, formation="TC", semestre="S4")
    _ok(at)
    caps = _captions(at)
    assert "Techniques de commercialisation" in caps and "Semestre 4" in caps


def test_weights_renders_and_split_selector():
    at = _run(WEIGHTS)
    _ok(at)
    assert at.slider(key="cible").value == (40, 60)
    at.slider(key="cible").set_value((30, 50)).run()
    _ok(at)
    at.multiselect(key="tableaux").set_value(["OSC · doc 000"]).run()
    _ok(at)
    caps = _captions(at)
    assert "Semestre 3 BUT QLIO OSC" in caps and "QLIO MP" not in caps


def test_simulation_renders_year_with_decision():
    at = _run(SIMULATION)
    _ok(at)
    assert at.selectbox(key="periode").value.startswith("Année 1 (S1+S2)")
    assert any("Décision" in i.value for i in at.info)  # pending: nothing graded yet
    at.button(key="preset_12").click().run()
    _ok(at)
    assert any("ADM" in s.value and "Règle appliquée" in s.value for s in at.success)


def test_simulation_slider_changes_ue_average_to_hand_computed_value():
    at = _run(SIMULATION)
    at.selectbox(key="periode").set_value("S1 · tronc commun · doc 000").run()
    at.button(key="preset_10").click().run()
    _ok(at)
    assert "<b>UE11 · ADM · validée</b>" in _card(at, "S1-UE11")
    # UE11 of QLIO S1 (000_f0acc9a397de0cbd.txt): coefficients printed in the "Coeff UE11" column
    assert (
        source_line(QLIO, 43)
        == "R1.07 Outils, méthodes et communication pour la qualité 1.4 1.40 0.00 0.00"
    )
    assert source_line(QLIO, 71) == "Total des coefficients 30 10 10 10"
    # Every graded module at 10, then R1.07 (coef 1.40 in UE11, total of UE11 = 10) at 14:
    # (10 × 10 + 1.40 × (14 − 10)) / 10 = 105.6 / 10 = 10.56
    at.select_slider(key="n_R1.07").set_value(14.0).run()
    _ok(at)
    assert "ue-avg' style='font-size:1.9em;font-weight:700;color:#2e7d32'>10,56<" in _card(
        at, "S1-UE11"
    )
    # UE12 does not use R1.07 (0.00): still 10
    assert ">10<" in _card(at, "S1-UE12")


def test_simulation_coarse_mode_for_grid_tables():
    at = _run(SIMULATION)
    at.selectbox(key="formation").set_value("TC").run()
    _ok(at)
    assert any("Mode simplifié" in c.value for c in at.caption)
    labels = [s.label for s in at.select_slider]
    assert labels and all(lab.startswith("Moyenne des") for lab in labels)


def test_no_stack_trace_on_unexpected_error(monkeypatch):
    from butdata.analysis import compare

    def boom(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(compare, "ue_summary", boom)
    at = _run(COMPARE)
    assert not at.exception
    assert any("erreur inattendue" in e.value for e in at.error)
