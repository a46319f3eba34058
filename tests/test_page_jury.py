"""The Simulation page's « Règles » panel, the student's record and the « Cohorte » tab under
Streamlit's AppTest, on the store built from both real documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scodoc_fixtures import CASES
from streamlit.testing.v1 import AppTest

APP = Path(__file__).parents[1] / "app.py"
SIMULATION = "pages/3_Simulation_de_notes.py"


@pytest.fixture(autouse=True)
def _fresh(store_path, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("BUTDATA_DB", str(store_path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def _run(**params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.run()
    for k, v in params.items():
        at.query_params[k] = v
    return at.switch_page(SIMULATION).run()


def _ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def _text(at: AppTest) -> str:
    return "\n".join([c.value for c in at.caption] + [w.value for w in at.warning])


# ---------------------------------------------------------------- Règles


def test_rules_panel_setting_goes_to_the_url_and_is_marked_local():
    at = _run()
    _ok(at)
    assert "Règles : valeurs publiées" in _text(at) and "réglage local" not in _text(at)
    # every setting is bound to the URL under its key (AppTest does not mirror the browser's
    # address bar: the binding is in the widget, the deep links below read it back)
    for key in ("r_seuil", "r_plancher", "r_poids_impair", "r_poids_pair", "r_pasd", "r_bonus"):
        assert at.number_input(key=key).proto.query_param_key == key
    assert at.selectbox(key="r_tolerance").proto.query_param_key == "r_tolerance"
    at.number_input(key="r_plancher").set_value(7.0).run()
    _ok(at)
    assert "réglage local" in _text(at) and "(publié : 8)" in _text(at)
    # the table of settings says which one is local
    table = at.dataframe[0].value
    row = table[table["réglage"].str.startswith("Seuil éliminatoire")]
    assert row["statut"].tolist() == ["réglage local"] and row["valeur"].tolist() == ["7"]
    # reset: back to the published values, the parameter leaves the URL
    at.button(key="r_reset").click().run()
    _ok(at)
    assert at.number_input(key="r_plancher").value == 8.0
    assert "réglage local" not in _text(at) and "Règles : valeurs publiées" in _text(at)


def test_rules_from_a_link_change_the_decision():
    # Every module at 9.996 would be ADM with ScoDoc's tolerance: not reachable with sliders
    # (steps of 0,25), so the link sets the pass mark instead: 12 → preset « Tout à 12 » is
    # still ADM (12 ≥ 12), « Tout à 10 » is AJ (0 RCUE ≥ 12, none < 8 but not more than half).
    at = _run(r_seuil="12.0")
    _ok(at)
    assert at.number_input(key="r_seuil").value == 12.0 and "réglage local" in _text(at)
    at.button(key="preset_10").click().run()
    assert not at.exception
    assert any("Décision : AJ" in e.value and "0 RCUE sur 3 ≥ 12" in e.value for e in at.warning)
    assert not at.error  # a jury outcome, not an error of the page
    # the same link from the published values: every RCUE at 10 → ADM
    at.button(key="r_reset").click().run()
    assert any("Décision : ADM" in s.value for s in at.success)


def test_impossible_setting_is_refused_in_french():
    at = _run()
    at.number_input(key="r_seuil").set_value(6.0).run()  # floor 8 > pass mark 6
    assert not at.exception
    assert any("Réglage impossible" in e.value for e in at.error)


def test_tolerance_setting_in_the_url():
    at = _run(r_tolerance="stricte")
    _ok(at)
    assert at.selectbox(key="r_tolerance").value == "stricte"
    assert "réglage local" in _text(at)


# ---------------------------------------------------------------- the student's record


def test_but1_question_only_in_but2():
    at = _run()
    _ok(at)
    assert at.selectbox(key="periode").value.startswith("Année 1")
    assert not [r for r in at.radio if r.key == "j_but1"]
    years = [o for o in at.selectbox(key="periode").options if o.startswith("Année 2")]
    at.selectbox(key="periode").set_value(years[0]).run()
    _ok(at)
    assert at.radio(key="j_but1").value == "inconnu"
    at.button(key="preset_12").click().run()
    at.radio(key="j_but1").set_value("non").run()
    _ok(at)
    # every RCUE at 12: ADM whatever the BUT1 UEs
    assert any("Décision : ADM" in s.value for s in at.success)


def test_jury_adj_on_an_rcue_shows_both_decisions():
    at = _run()
    at.button(key="preset_10").click().run()
    # every module at 10 → every RCUE 10 → ADM; the jury refuses RCUE 1 (AJ): 2 of 3 → PASD
    at.selectbox(key="j_rcue_1").set_value("AJ").run()
    _ok(at)
    box = [s.value for s in at.success]
    assert any("Décision : PASD" in b and "Selon les règles seules : **ADM**" in b for b in box), (
        box
    )


# ---------------------------------------------------------------- Cohorte


def test_cohort_tab_drawn_cohort_and_comparison():
    at = _run(onglet="Cohorte", c_n="300")
    _ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Étudiants"] == "300"
    assert {"ADM — année validée", "PASD — passage de droit", "AJ — le jury décide"} <= set(metrics)
    assert all(v.endswith("\u202f%") for k, v in metrics.items() if k != "Étudiants")
    assert len(at.dataframe) >= 2  # UE and RCUE pass rates
    assert "300 étudiants tirés" in _text(at)
    at.radio(key="c_comparer").set_value("un autre réglage").run()
    _ok(at)
    scenarios = at.dataframe[-1].value["scénario"].tolist()
    assert scenarios == ["réglage de la page", "autre réglage"]


def test_cohort_tab_other_year_on_the_same_grades():
    at = _run(onglet="Cohorte", c_n="200", c_comparer="une autre année (parcours)")
    _ok(at)
    assert "module(s) communs gardent leurs notes" in _text(at)


def test_cohort_tab_grade_csv():
    at = _run(onglet="Cohorte", c_source="fichier de notes (CSV)")
    _ok(at)
    assert any("Déposez un fichier de notes" in i.value for i in at.info)
    # S1 + S2 of QLIO (doc 000): R1.01 feeds every S1 UE, R2.01 every S2 UE (printed tables)
    at.text_area(key="c_csv_text").set_value("etudiant;R1.01;R2.01\na;12;12\nb;5;6\n").run()
    _ok(at)
    assert {m.label: m.value for m in at.metric}["Étudiants"] == "2"
    at.text_area(key="c_csv_text").set_value("etudiant;R9.99\na;12\n").run()
    assert not at.exception and any("colonne(s) inconnue(s)" in e.value for e in at.error)


def test_cohort_tab_scodoc_export_agreement_and_what_ifs():
    at = _run(onglet="Cohorte", c_source="export de jury ScoDoc")
    _ok(at)
    at.text_area(key="c_jury_text").set_value(json.dumps([c[0] for c in CASES])).run()
    _ok(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Accord avec le jury"] == "100\u202f%" and metrics["Décisions comparées"] == "14"
    what_ifs = next(d.value for d in at.dataframe if "scénario" in d.value.columns)
    assert what_ifs["scénario"].tolist()[:2] == ["réglage de la page", "tolérance stricte"]
    # the strict tolerance changes two recorded decisions (RCUE 9.996 and 7.996): 12 of 14
    assert what_ifs["accord"].tolist()[1] == "85,7\u202f%"
    at.text_area(key="c_jury_text").set_value("[{").run()
    assert not at.exception and any("Export illisible" in e.value for e in at.error)


def _cards(at: AppTest) -> dict[str, str]:
    """The UE result cards (their HTML) by UE code as the record table names it."""
    import re

    return {
        m.group(1).split("-", 1)[-1]: md.value
        for md in at.markdown
        if (m := re.search(r"class='ue-card' data-ue='([^']+)'", md.value))
    }


def _record_ues(at: AppTest) -> list[str]:
    """The rows of the record table, in order."""
    (record,) = [d for d in at.dataframe if d.key == "j_ues"]
    return list(record.value["UE"])


def _average(card: str) -> str:
    import re

    found = re.search(r"class='ue-avg'[^>]*>([^<]*)<", card)
    assert found, card
    return found.group(1)


def test_the_record_capitalises_adds_a_bonus_and_the_jury_validates():
    """Edits of the record table reach the simulation: a capitalised average better than the
    current one is kept, a bonus is added, ADJ validates a UE (hand arithmetic: every module at
    10 → every UE at 10; capitalised 15 → 15; 10 + 1,5 → 11,5)."""
    at = _run()
    at.button(key="preset_10").click().run()
    ues = _record_ues(at)
    assert len(ues) >= 3 and set(ues) <= set(_cards(at)), (ues, list(_cards(at)))
    at.session_state["j_ues"] = {
        "edited_rows": {0: {"moyenne capitalisée": 15.0}, 1: {"bonus": 1.5}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    _ok(at)
    cards = _cards(at)
    assert _average(cards[ues[0]]) == "15" and "moyenne capitalisée" in cards[ues[0]]
    assert _average(cards[ues[1]]) == "11,5" and "bonus 1,5" in cards[ues[1]], cards[ues[1]]
    assert _average(cards[ues[2]]) == "10", cards[ues[2]]
    at.button(key="preset_reset").click().run()
    at.session_state["j_ues"] = {
        "edited_rows": {2: {"ADJ (jury)": True}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    _ok(at)
    cards = _cards(at)
    assert "validée par le jury" in cards[ues[2]], cards[ues[2]]
    assert "validée par le jury" not in cards[ues[0]], cards[ues[0]]
