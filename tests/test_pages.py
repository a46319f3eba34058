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


def _param(at: AppTest, key: str) -> list[str]:
    """A URL parameter's values (AppTest gives a string for one value, a list for several)."""
    value = at.query_params[key]
    return [value] if isinstance(value, str) else list(value)


def _info(at: AppTest) -> str:
    return "\n".join(i.value for i in at.info) + "\n".join(w.value for w in at.warning)


def _texts(at: AppTest) -> str:
    """Every text a person reads on the page (markdown, captions, alerts, metric labels)."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in (*at.info, *at.warning, *at.success, *at.error)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def test_home_counts_tables_by_what_they_allow():
    at = _run()
    _ok(at)
    assert at.title[0].value == "Vue d'ensemble"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Documents"] == "2"
    # The 18 QLIO tables keep every value's module; no value of document 004 has one
    # (tests/test_grid_layout.py): its tables are « valeurs par UE seulement » at best.
    assert metrics["Modules identifiés"] == "18"
    parts = ("Modules identifiés", "Valeurs par UE seulement", "Partiel", "Vide")
    assert sum(int(metrics[k]) for k in parts) == int(metrics["Tableaux"])
    assert metrics["Coefficients"] == "4\u202f275"  # French thousands separator
    assert len(at.tabs) == 4
    for tab in HOME_TABS:  # each tab is drawn when opened (?rubrique=…), with its own table
        opened = _run(rubrique=tab)
        _ok(opened)
        assert opened.dataframe, tab
        texts = _texts(opened)
        for internal in ("complete", "warning", "code_variant", "None", "doc 000"):
            assert internal not in texts, (tab, internal)


def test_home_draws_only_the_open_tab():
    """The first page shows sooner: the other tabs' tables (and the conformity checks of every
    table) wait until their tab is opened."""
    at = _run()
    columns = [set(d.value.columns) for d in at.dataframe]
    assert any({"fichier", "année"} <= c for c in columns)  # « Documents sources »
    assert not any("gravité" in c or "identifiant" in c for c in columns)
    at = _run(rubrique="Conformité")
    _ok(at)
    assert any("identifiant" in set(d.value.columns) for d in at.dataframe)
    assert _param(at, "rubrique") == ["Conformité"]


HOME_TABS = ("Documents sources", "Tous les tableaux", "Avertissements de lecture", "Conformité")


def test_home_tables_and_warnings_are_in_french():
    at = _run(rubrique="Avertissements de lecture")
    warnings = next(d.value for d in at.dataframe if "gravité" in d.value.columns)
    assert set(warnings["gravité"]) <= {"information", "avertissement", "erreur"}
    assert "code de module écrit différemment" in set(warnings["nature"])
    at = _run(rubrique="Tous les tableaux")
    tables = next(d.value for d in at.dataframe if "ce que permet le tableau" in d.value.columns)
    assert set(tables["ce que permet le tableau"]) == {
        "modules identifiés",
        "valeurs par UE seulement",
        "partiel",
        "vide",
    }
    at = _run()
    docs = next(
        d.value for d in at.dataframe if "fichier" in d.value.columns and "année" in d.value.columns
    )
    assert list(docs["document"]) == ["MCC QLIO 2025-2026", "MCC IUT multisite"]
    assert list(docs["année"]) == ["2025-2026", "non imprimée"]


def test_missing_values_never_read_none_in_a_table():
    """Streamlit writes « None » in a table's empty cells (a Styler's display text does not
    reach them): every table says « — », the comparison « absent » (a module a parcours lacks)."""
    for page in (None, COMPARE, WEIGHTS, SIMULATION, "pages/4_Donnees.py"):
        at = _run(page)
        _ok(at)
        assert at.dataframe, page
        for d in at.dataframe:
            assert d.proto.placeholder in ("—", "absent"), (page, d.proto.placeholder)
    at = _run(COMPARE)
    assert at.dataframe[0].proto.placeholder == "absent"
    assert "None" not in at.dataframe[0].proto.arrow_data.styler.display_values.decode("latin-1")


def test_compare_renders_and_semester_changes_what_is_shown():
    at = _run(COMPARE)
    _ok(at)
    assert "Semestre 3 BUT QLIO" in _captions(at)
    at.selectbox(key="semestre").set_value(5).run()
    _ok(at)
    assert "Semestre 5" in _captions(at) and "Semestre 3 BUT QLIO" not in _captions(at)
    assert _param(at, "semestre") == ["S5"]


def test_compare_all_empty_tables_explain_instead_of_crashing():
    # GEA S3 of document 004: four titles, no surviving rows (crashed with "lignes" not found)
    at = _run(COMPARE, formation="GEA", semestre="S3")
    _ok(at)
    assert "vides dans le document" in _info(at) and "Vue d'ensemble" in _info(at)
    for formation, semester in (("GEA", "S1"), ("GACO", "S1"), ("GACO", "S2")):
        at = _run(COMPARE, formation=formation, semestre=semester)
        _ok(at)


def test_compare_defaults_land_on_tables_with_values():
    # TC: S3 (the default semester) has tables with values in several parcours
    at = _run(COMPARE, formation="TC")
    _ok(at)
    assert _param(at, "semestre") == ["S3"] and "titre seul" not in _info(at)
    # GEA: of its ten tables only S4 « Gestion comptable, fiscale et financière » has a row left;
    # the page opens there, with that table first, and says the other one is a title alone.
    at = _run(COMPARE, formation="GEA")
    _ok(at)
    assert _param(at, "semestre") == ["S4"]
    assert at.pills(key="parcours").value[0] == "004-gea-s4-gestion-comptable-fiscale-et-financiere"
    assert "titre seul" in _info(at)


def test_changing_formation_resets_the_parcours_and_the_url():
    at = _run(COMPARE)
    assert at.pills(key="parcours").value == ["000-qlio-s3-mp", "000-qlio-s3-osc"]
    at.selectbox(key="formation").set_value("TC").run()
    _ok(at)
    pills = at.pills(key="parcours")
    assert pills.value and all(v.startswith("004-tc-") for v in pills.value)
    # the URL says exactly the chosen tables, by the labels shown on the pills
    assert _param(at, "formation") == ["TC"]
    assert len(_param(at, "parcours")) == len(pills.value)
    assert set(_param(at, "parcours")) <= set(pills.options)
    assert all("MCC QLIO" not in p for p in _param(at, "parcours"))


def test_invalid_url_values_are_named_with_the_default_used():
    at = _run(COMPARE, formation="ZZZ", semestre="4")
    _ok(at)
    info = _info(at)
    assert "Formation « ZZZ » introuvable : QLIO est affiché à la place." in info
    assert "Semestre « 4 » introuvable : S3 est affiché à la place." in info
    assert _param(at, "formation") == ["QLIO"] and _param(at, "semestre") == ["S3"]


def test_compare_across_documents_says_why_ue_level(con):
    other = con.execute(
        "SELECT table_id FROM tables WHERE formation = 'QLIO' AND semester = 3 "
        "AND source LIKE '004%'"
    ).fetchall()[0][0]
    at = _run(COMPARE)
    at.pills(key="parcours").set_value(["000-qlio-s3-qmi", other]).run()
    _ok(at)
    assert "valeur non attribuable à un module" in _info(at)
    assert "004_8659784350827029.txt" in _captions(at)


def test_compare_grid_has_no_none_and_absent_cells_say_absent():
    at = _run(COMPARE)
    grid = at.dataframe[0].value
    assert "None" not in grid.astype(str).to_string()
    # SAE3.OSC.02 (line 341, only in OSC) is absent from MP
    row = grid[grid["module"] == "SAE3.OSC.02"].iloc[0]
    assert row["OSC"] == 1.4 and str(row["MP"]) in ("nan", "None", "<NA>")


def test_compare_deep_link_query_params():
    at = _run(COMPARE, formation="TC", semestre="S4")
    _ok(at)
    caps = _captions(at)
    assert "Techniques de commercialisation" in caps and "Semestre 4" in caps


def test_weights_band_and_split_selectors():
    at = _run(WEIGHTS)
    _ok(at)
    assert at.slider(key="cible").value == (40, 60)
    at.slider(key="cible").set_value((45, 60)).run()
    _ok(at)
    assert _param(at, "cible") == ["45-60"]
    at.pills(key="tableaux").set_value(["000-qlio-s3-osc"]).run()
    _ok(at)
    caps = _captions(at)
    assert "Semestre 3 BUT QLIO OSC" in caps and "QLIO MP" not in caps


def test_weights_across_formations():
    at = _run(WEIGHTS, vue="toutes les formations", niveau="BUT2 (année)")
    _ok(at)
    assert at.selectbox(key="niveau").value == "BUT2"
    assert _param(at, "vue") == ["toutes les formations"]
    assert any("Un point = une UE" in c for c in _captions(at).split("\n"))
    assert "formation" not in at.query_params  # the URL says only what is displayed


def test_simulation_renders_year_with_decision():
    at = _run(SIMULATION)
    _ok(at)
    assert at.selectbox(key="periode").value.startswith("Année 1 (S1+S2)")
    assert any("Décision" in i.value for i in at.info)  # pending: nothing graded yet
    at.button(key="preset_12").click().run()
    _ok(at)
    assert any("ADM" in s.value and "Règle appliquée" in s.value for s in at.success)


def test_simulation_never_opens_on_an_empty_period():
    # GEA: its first year in the store is empty (titles only): the page opens on one with values
    at = _run(SIMULATION, formation="GEA")
    _ok(at)
    assert at.select_slider, "a period with values has sliders"
    assert "aucun module à noter" not in _info(at)


def test_simulation_url_follows_the_formation():
    at = _run(SIMULATION)
    at.selectbox(key="formation").set_value("GB").run()
    _ok(at)
    assert _param(at, "formation") == ["GB"]
    assert _param(at, "periode") == [at.selectbox(key="periode").value]


def test_simulation_slider_changes_ue_average_to_hand_computed_value():
    at = _run(SIMULATION)
    at.selectbox(key="periode").set_value("S1 · tronc commun · MCC QLIO 2025-2026").run()
    at.button(key="preset_10").click().run()
    _ok(at)
    assert "<b>UE11 · ADM</b>" in _card(at, "S1-UE11") and "validée" in _card(at, "S1-UE11")
    # UE11 of QLIO S1 (000_f0acc9a397de0cbd.txt): coefficients printed in the "Coeff UE11" column
    assert (
        source_line(QLIO, 43)
        == "R1.07 Outils, méthodes et communication pour la qualité 1.4 1.40 0.00 0.00"
    )
    assert source_line(QLIO, 71) == "Total des coefficients 30 10 10 10"
    # Every graded module at 10, then R1.07 (coef 1.40 in UE11, total of UE11 = 10) at 14:
    # (10 × 10 + 1.40 × (14 − 10)) / 10 = 105.6 / 10 = 10.56
    at.select_slider(key="n_R1.07").set_value("14").run()
    _ok(at)
    assert "class='ue-avg'" in _card(at, "S1-UE11") and ">10,56<" in _card(at, "S1-UE11")
    assert _param(at, "n_R1.07") == ["14"]
    # UE12 does not use R1.07 (0.00): still 10
    assert ">10<" in _card(at, "S1-UE12")


def test_simulation_compensated_ue_says_so():
    at = _run(SIMULATION)  # Année 1 (S1+S2) of QLIO
    at.button(key="preset_12").click().run()
    # SAE1.01 feeds UE11 only, with 2.00 of UE11's 10 (line 57): at 0, every other module at 12,
    # UE11 = (12 × 8 + 0 × 2) / 10 = 9,6 while UE21 = 12, so RCUE 1 = (9,6 + 12) / 2 = 10,8 ≥ 10:
    # UE11 is validated by compensation (CMP), not « impossible ».
    assert source_line(QLIO, 57).startswith("SAE1.01") and source_line(QLIO, 57).endswith(
        " 2.00 0.00 0.00"
    )
    at.select_slider(key="n_SAE1.01").set_value("0").run()
    _ok(at)
    card = _card(at, "S1-UE11")
    assert "<b>UE11 · CMP</b>" in card and ">9,6<" in card
    assert "compensation" in card and "impossible" not in card


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


def test_simulation_card_sees_its_source():
    # « voir la source » of a result card: the lines of UE11's coefficients, R1.07 among them
    at = _run(SIMULATION)
    _ok(at)
    assert any(e.label == "Voir la source d'une UE" for e in at.expander)
    shown = "\n".join(m.value for m in at.markdown if "<mark" in m.value)
    assert "R1.07 Outils, méthodes et communication pour la qualité" in shown
    assert ">1.40</mark>" in shown  # the UE11 value of line 43, highlighted
