"""The Scénarios page under AppTest: the acceptance walk of issue 17 on the real documents, the
grid editor (a cell, a kind, ECTS → totals, SAÉ share and conformity follow), undo / redo,
add / remove, then saves in a writable copy: save, reopen by link, duplicate, delete, two
sessions saving one scenario, a visitor offered no write, the scenario in Comparer.

Expected figures come from document 000 (« Semestre 3 BUT QLIO QMI », lines 348-415) and hand
arithmetic, quoted where they are used."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import QLIO, qlio_site, source_line
from streamlit.testing.v1 import AppTest

from butdata.analysis.conformity_rules import RULES_BY_CODE
from butdata.store import open_store
from butdata.store import scenario_files as sf

APP = Path(__file__).parents[1] / "app.py"
PAGE = "pages/5_Scenarios.py"
COMPARE = "pages/1_Comparer_les_parcours.py"
ORIGIN = "S3 · QMI · MCC QLIO 2025-2026"
QMI = "000-qlio-s3-qmi"
NNBSP = "\u202f"


@pytest.fixture(autouse=True)
def _fresh():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture()
def real(store_path, monkeypatch):
    """The store of both real documents (read-only here: nothing is saved)."""
    monkeypatch.setenv("BUTDATA_DB", str(store_path))


@pytest.fixture()
def site(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A writable store built from a copy of the QLIO document (saves rebuild it)."""
    sources, db = qlio_site(tmp_path)
    monkeypatch.setenv("BUTDATA_DB", str(db))
    monkeypatch.delenv("BUTDATA_SHARED", raising=False)
    return sources, db


def open_page(**params: str) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=90).run()
    for k, v in params.items():
        at.query_params[k] = v
    return at.switch_page(PAGE).run()


def ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def work_uid(table_ids: tuple[str, ...] = (QMI,)) -> str:
    from ui import scenarios_state as ss
    from ui.scenarios_editor import uid

    return uid(ss.new_key(table_ids))


def ue_row(at: AppTest, ue: str) -> dict[str, str]:
    """The UE's line of the editor's « par UE » table (ECTS, total, SAÉ share)."""
    for df in at.dataframe:
        v = df.value
        if "Part des SAÉ" in v.columns and "Total des coefficients" in v.columns:
            rows = v[v["UE"] == ue].to_dict("records")
            if rows:
                return rows[0]
    raise AssertionError(f"no UE table with {ue}")


def changes(at: AppTest) -> list[str]:
    texts = [m.value for m in at.markdown if m.value.startswith("1. ")]
    return [line.split(". ", 1)[1] for line in texts[0].splitlines()] if texts else []


def move(at: AppTest, ue: str, src: str, dst: str, amount: str, u: str | None = None) -> AppTest:
    u = u or work_uid()
    at.selectbox(key=f"scn_move_ue_{u}").select(ue)
    at.selectbox(key=f"scn_move_from_{u}").select(src)
    at.selectbox(key=f"scn_move_to_{u}").select(dst)
    at.text_input(key=f"scn_move_amount_{u}").input(amount)
    return at.button(key=f"scn_move_{u}").click().run()


def edit_grid(at: AppTest, version: int, rows: dict[int, dict[str, object]]) -> AppTest:
    """Change cells of the module × UE editor (AppTest sets the data editor's state)."""
    from ui import scenarios_state as ss
    from ui.scenarios_editor import grid_key

    key = grid_key(ss.new_key((QMI,)), QMI, version)
    at.session_state[key] = {"edited_rows": rows, "added_rows": [], "deleted_rows": []}
    return at.run()


def serious_findings(at: AppTest) -> list[tuple[str, str, str]]:
    """(rule label, UE, module) of the conformity table of errors and warnings."""
    for df in at.dataframe:
        v = df.value
        if list(v.columns[:2]) == ["gravité", "règle"] and "information" not in set(v["gravité"]):
            return [(r["règle"], r["UE"], r["module"]) for r in v.to_dict("records")]
    return []


# --------------------------------------------------------------------------- acceptance


def test_acceptance_walk_copy_move_share_conformity_council_pdf(real, tmp_path):
    # document 000, « Semestre 3 BUT QLIO QMI »: UE31 column first (line 357: Coeff UE31 …).
    # R3.07 1.50 (line 388), SAE3.01 1.80 (line 402), SAE3.QMI.03 1.50 (line 413), total 8
    assert source_line(QLIO, 388).split()[-5:] == ["1.5", "1.50", "0.00", "0.00", "0.00"]
    assert source_line(QLIO, 402).split()[-5:] == ["5.4", "1.80", "1.80", "1.80", "0.00"]
    assert source_line(QLIO, 413).split()[-5:] == ["6", "1.50", "1.50", "1.50", "1.50"]
    at = open_page(origine=ORIGIN)
    ok(at)
    assert at.title[0].value == "Scénarios"
    # the origin named as people name the document (its meta.toml title), never its file hash
    shown = "\n".join(c.value for c in at.caption)
    assert "MCC QLIO 2025-2026, ligne" in shown and "f0acc9a397de0cbd" not in shown
    # SAÉ in UE31: 1,8 + 1,5 = 3,3 of 8 -> 41,25 %
    assert ue_row(at, "UE31")["Part des SAÉ"] == f"41,25{NNBSP}%"
    assert ue_row(at, "UE31")["Total des coefficients"] == "8"
    at = move(at, "UE31", "R3.07", "SAE3.01", "0,5")
    ok(at)
    # after: 2,3 + 1,5 = 3,8 of 8 -> 47,5 %; the UE total stays 8
    assert ue_row(at, "UE31")["Part des SAÉ"] == f"47,5{NNBSP}%"
    assert ue_row(at, "UE31")["Total des coefficients"] == "8"
    assert changes(at) == ["R3.07 UE31 : 1,5 → 1,0", "SAE3.01 UE31 : 1,8 → 2,3"]
    # conformity: the only finding is the portfolio SAE3.PF without coefficient (information;
    # line 404 « SAE3.PF Portfolio S3 0 0.00 … »)
    assert source_line(QLIO, 404).startswith("SAE3.PF Portfolio S3 0")
    assert [s.value for s in at.success if s.value.startswith("Conformité")] == [
        "Conformité de la proposition : 0 erreur · 0 avertissement · 1 information. "
        "Aucune erreur, aucun avertissement."
    ]
    # the before / after table says it too
    per_ue = next(d.value for d in at.dataframe if "part SAÉ origine" in d.value.columns)
    ue31 = per_ue[per_ue["UE"] == "UE31"].to_dict("records")[0]
    assert (ue31["part SAÉ origine"], ue31["part SAÉ proposition"]) == (
        f"41,25{NNBSP}%",
        f"47,5{NNBSP}%",
    )
    assert ue31["écart (points)"] == "+6,25"
    labels = [b.label for b in at.get("download_button")]
    assert "Note au conseil (PDF)" in labels and "Classeur du conseil (XLSX)" in labels

    # the PDF the button gives (same function, same inputs): its text
    from butdata.report import render_pdf
    from butdata.report.council import council_page
    from ui import scenarios_state as ss

    work = at.session_state[ss.WORKS][ss.new_key((QMI,))]
    pdf = render_pdf(council_page(work.scenario, impact=None, origin_labels=[ORIGIN]))
    (tmp_path / "note.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "note.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Note au conseil" in text
    assert "R3.07 UE31 : 1,5 → 1,0" in text
    assert f"41,25{NNBSP}%" in text or "41,25 %" in text
    assert f"47,5{NNBSP}%" in text or "47,5 %" in text


def test_grid_cell_changes_totals_share_and_conformity(real):
    at = open_page(origine=ORIGIN)
    # row 13 is SAE3.01 (the 14th module of the table, lines 374-402: R3.01 … R3.12, R3.AL,
    # SAE3.01); its UE31 coefficient 1,8 -> 0: UE31 total 8 - 1,8 = 6,2, SAÉ 1,5 / 6,2 = 24,19 %
    at = edit_grid(at, 1, {13: {"UE31": ""}})  # the cell emptied
    ok_warnings = [w.value for w in at.warning]
    assert not at.exception and not at.error
    assert ue_row(at, "UE31")["Total des coefficients"] == "6,2"
    assert ue_row(at, "UE31")["Part des SAÉ"] == f"24,19{NNBSP}%"
    assert changes(at) == ["SAE3.01 UE31 : 1,8 → 0"]
    # 24,19 % is below the 40 % of the band: one warning, on UE31
    assert any("1 avertissement" in w for w in ok_warnings), ok_warnings
    assert serious_findings(at) == [(RULES_BY_CODE["sae_share_band"].short, "UE31", "")]


def test_kind_name_and_ects_edits(real):
    at = open_page(origine=ORIGIN)
    # R3.08 (row 7) becomes a SAÉ: UE31 SAÉ 3,3 + 1,5 = 4,8 of 8 = 60 % (band edge, conforming)
    at = edit_grid(at, 1, {7: {"Type": "SAÉ", "Intitulé": "Démarches d'amélioration (SAÉ)"}})
    ok(at)
    assert ue_row(at, "UE31")["Part des SAÉ"] == f"60{NNBSP}%"
    assert changes(at) == [
        "R3.08 : type ressource → SAÉ",
        # line 390 prints « Démarches d’amélioration »; the reader stores it with a plain
        # apostrophe (butdata.text.normalize)
        "R3.08 : intitulé « Démarches d'amélioration » → « Démarches d'amélioration (SAÉ) »",
    ]
    # the code column renames: R3.AL (row 12, line 400) becomes R3.13, its coefficients stay
    at = edit_grid(at, 2, {12: {"Code": "R3.13"}})
    assert not at.exception
    assert changes(at)[-1] == "R3.AL renommé R3.13"
    assert ue_row(at, "UE31")["Total des coefficients"] == "8"
    # UE31 ECTS 8 -> 9: the semester has 9 + 8 + 8 + 6 = 31 ECTS, not 30 (an error)
    from ui import scenarios_state as ss
    from ui.scenarios_editor import ects_key

    key = ects_key(ss.new_key((QMI,)), QMI, 3)
    at.session_state[key] = {
        "edited_rows": {0: {"ECTS": 9.0}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at = at.run()
    assert not at.exception
    assert changes(at)[-1] == "UE31 : ECTS 8 → 9"
    assert (RULES_BY_CODE["semester_ects"].short, "", "") in serious_findings(at)


def test_undo_redo_add_remove(real):
    at = open_page(origine=ORIGIN)
    u = work_uid()
    at = move(at, "UE31", "R3.07", "SAE3.01", "0,5")
    assert ue_row(at, "UE31")["Part des SAÉ"] == f"47,5{NNBSP}%"
    at = at.button(key=f"scn_undo_{u}").click().run()
    assert ue_row(at, "UE31")["Part des SAÉ"] == f"41,25{NNBSP}%"
    assert changes(at) == []
    at = at.button(key=f"scn_redo_{u}").click().run()
    assert ue_row(at, "UE31")["Part des SAÉ"] == f"47,5{NNBSP}%"
    # add a module, then remove R3.AL (0,25 in each UE, line 400): UE31 total 8 - 0,25 = 7,75
    at.text_input(key=f"scn_add_code_{u}").input("R3.13")
    at.text_input(key=f"scn_add_name_{u}").input("Nouvelle ressource")
    at = at.button(key=f"scn_add_{u}").click().run()
    assert not at.exception
    at.selectbox(key=f"scn_remove_code_{u}").select("R3.AL")
    at = at.button(key=f"scn_remove_{u}").click().run()
    assert not at.exception
    assert changes(at)[-2:] == ["ajout du module R3.13", "suppression du module R3.AL"]
    assert ue_row(at, "UE31")["Total des coefficients"] == "7,75"
    # R3.13 has no coefficient: a warning of module_without_coefficient
    assert (RULES_BY_CODE["module_without_coefficient"].short, "", "R3.13") in serious_findings(at)
    # a move of more than the module has is refused in French, nothing changes
    at = move(at, "UE31", "R3.07", "SAE3.01", "5")
    assert any("impossible d'en déplacer 5" in e.value for e in at.error)
    assert ue_row(at, "UE31")["Total des coefficients"] == "7,75"


# --------------------------------------------------------------------------- saved scenarios


def save(at: AppTest, name: str, note: str = "", u: str | None = None) -> AppTest:
    u = u or work_uid()
    at.text_input(key=f"scn_name_{u}").input(name)
    if note:
        at.text_area(key=f"scn_note_{u}").input(note)
    return at.button(key="scenario_save").click().run()


def test_save_reopen_by_link_duplicate_delete(site):
    sources, db = site
    at = open_page(origine=ORIGIN)
    at = move(at, "UE31", "R3.07", "SAE3.01", "0,5")
    at = save(at, "Proposition 2026", "Plus de SAÉ en UE31")
    ok(at)
    assert any("« Proposition 2026 » enregistré" in s.value for s in at.success)
    assert at.query_params["scenario"] == "Proposition 2026"
    # on disk beside the sources, never among them
    assert (sources.parent / "scenarios" / "proposition-2026.json").is_file()
    assert not list(sources.glob("*.json"))
    # in the store: source « scénario : Proposition 2026 », the change list as provenance
    con = open_store(db)
    try:
        tables = con.sql(
            "SELECT table_id, source FROM tables WHERE source = $s",
            params={"s": sf.source_of("Proposition 2026")},
        ).fetchall()
        assert tables == [("scenario-proposition-2026-qlio-s3-qmi", "scénario : Proposition 2026")]
        coef = con.sql(
            "SELECT coefficient FROM coefficients WHERE table_id = $t AND module_code = 'R3.07' "
            "AND ue = 'UE31'",
            params={"t": tables[0][0]},
        ).fetchall()
        assert coef == [(1.0,)]
    finally:
        con.close()

    # a new session opens it by link and sees the proposal, its changes and its note
    again = open_page(scenario="Proposition 2026")
    ok(again)
    assert again.selectbox(key="scenario").value == "Proposition 2026"
    assert ue_row(again, "UE31")["Part des SAÉ"] == f"47,5{NNBSP}%"
    assert changes(again) == ["R3.07 UE31 : 1,5 → 1,0", "SAE3.01 UE31 : 1,8 → 2,3"]
    saved = next(d.value for d in again.dataframe if "modifications" in d.value.columns)
    assert saved["nom"].tolist() == ["Proposition 2026"]
    assert saved["modifications"].tolist() == ["2"]

    # duplicate, then delete the copy
    again.selectbox(key="scn_saved_pick").select("Proposition 2026")
    again = again.button(key="scenario_duplicate").click().run()
    ok(again)
    assert (sources.parent / "scenarios" / "proposition-2026-copie.json").is_file()
    assert again.query_params["scenario"] == "Proposition 2026 (copie)"
    again.selectbox(key="scn_saved_pick").select("Proposition 2026 (copie)")
    again = again.button(key="scenario_delete").click().run()
    ok(again)
    assert not (sources.parent / "scenarios" / "proposition-2026-copie.json").exists()
    assert [i.name for i in sf.list_saved(sources.parent / "scenarios")] == ["Proposition 2026"]


def test_two_sessions_saving_one_scenario_second_gets_conflict(site):
    sources, _ = site
    at = open_page(origine=ORIGIN)
    at = move(at, "UE31", "R3.07", "SAE3.01", "0,5")
    at = save(at, "Proposition 2026")
    ok(at)
    from ui import scenarios_state as ss
    from ui.scenarios_editor import uid

    u = uid(ss.saved_key("Proposition 2026"))
    first, second = open_page(scenario="Proposition 2026"), open_page(scenario="Proposition 2026")
    first = move(first, "UE32", "R3.09", "SAE3.01", "0,5", u)
    second = move(second, "UE33", "R3.11", "SAE3.01", "0,5", u)
    first = first.button(key="scenario_save").click().run()
    ok(first)
    second = second.button(key="scenario_save").click().run()
    errors = [e.value for e in second.error]
    assert any(e.startswith("Conflit : « Proposition 2026 » a été enregistré") for e in errors)
    assert any("rien n'a été enregistré" in e for e in errors)
    # the first save is kept, the second session's edit is still on its screen
    saved = sf.find(sources.parent / "scenarios", "Proposition 2026")
    assert saved is not None
    ues = [e["ue"] for step in saved.scenario["steps"] for e in step if "ue" in e]
    assert "UE32" in ues and "UE33" not in ues
    assert changes(second)[-1] == "SAE3.01 UE33 : 1,8 → 2,3"
    # « Ouvrir » starts again from the saved version (the first session's)
    second.selectbox(key="scn_saved_pick").select("Proposition 2026")
    second = second.button(key="scn_open").click().run()
    assert not second.exception
    assert changes(second)[-1] == "SAE3.01 UE32 : 1,8 → 2,3"


def test_saved_scenario_is_selectable_in_comparer(site):
    at = open_page(origine=ORIGIN)
    at = move(at, "UE31", "R3.07", "SAE3.01", "0,5")
    ok(save(at, "Proposition 2026"))
    cmp_ = AppTest.from_file(str(APP), default_timeout=90).run()
    cmp_.query_params["formation"] = "QLIO"
    cmp_.query_params["semestre"] = "S3"
    cmp_ = cmp_.switch_page(COMPARE).run()
    ok(cmp_)
    options = cmp_.get("button_group")[0].options
    mine = [o for o in options if "Scénario : Proposition 2026" in o]
    assert mine == ["QMI · Scénario : Proposition 2026 · 2025-2026"], options
    # chosen beside the parcours QMI of the document it copies: both compared
    both = AppTest.from_file(str(APP), default_timeout=90).run()
    both.query_params["formation"] = "QLIO"
    both.query_params["semestre"] = "S3"
    both.query_params["parcours"] = ["QMI · MCC QLIO 2025-2026", mine[0]]
    both = both.switch_page(COMPARE).run()
    ok(both)
    assert list(both.query_params["parcours"]) == ["QMI · MCC QLIO 2025-2026", mine[0]]


def test_visitor_is_offered_no_write(site, monkeypatch):
    monkeypatch.setenv("BUTDATA_SHARED", "1")
    at = open_page(origine=ORIGIN)
    assert not at.exception
    keys = {b.key for b in at.button}
    assert not keys & {"scenario_save", "scenario_duplicate", "scenario_delete"}
    assert any("Consultation seule" in i.value for i in at.info)
    from ui.auth import WRITE_TRIGGERS

    assert {"scenario_save", "scenario_duplicate", "scenario_delete"} <= set(WRITE_TRIGGERS)


# --------------------------------------------------------------------------- home page


def test_home_conformity_view_covers_every_stored_table(real, store_path):
    import json

    at = AppTest.from_file(str(APP), default_timeout=90)
    at.query_params["rubrique"] = "Conformité"
    at.run()
    ok(at)
    per_table = next(d.value for d in at.dataframe if "identifiant" in d.value.columns)
    qmi = per_table[per_table["identifiant"] == QMI].to_dict("records")
    # QLIO S3 QMI (document 000, lines 348-415): totals 8 8 8 6 = sums, 30 ECTS, SAÉ shares
    # 41,25 %, 41,25 %, 41,25 % and 48,3 % inside 40-60 %; only the portfolio SAE3.PF
    # (line 404) has no coefficient: one information
    assert qmi == [
        {
            "tableau": "QLIO · S3 · QMI · MCC QLIO 2025-2026",
            "identifiant": QMI,
            "erreurs": 0,
            "avertissements": 0,
            "informations": 1,
        }
    ]
    # the same findings as the command line, table by table
    out = subprocess.run(
        [sys.executable, "-m", "butdata", "conformity", "--db", str(store_path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cli = json.loads(out)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Erreurs de conformité"] == str(sum(f["severity"] == "error" for f in cli))
    tables_cli = {f["table_id"] for f in cli}
    assert set(per_table["identifiant"]) == tables_cli


def test_grid_takes_french_decimals_and_refuses_text(real):
    at = open_page(origine=ORIGIN)
    # R3.07 is row 6 (lines 374-388: R3.01 … R3.07); « 1,0 » typed the French way
    at = edit_grid(at, 1, {6: {"UE31": "1,0"}})
    assert not at.exception
    assert changes(at) == ["R3.07 UE31 : 1,5 → 1,0"]
    # UE31 total 8 - 0,5 = 7,5; SAÉ 3,3 / 7,5 = 44 %
    assert ue_row(at, "UE31")["Total des coefficients"] == "7,5"
    assert ue_row(at, "UE31")["Part des SAÉ"] == f"44{NNBSP}%"
    at = edit_grid(at, 2, {6: {"UE32": "deux"}})
    assert any(
        e.value.startswith("Modification refusée : coefficient de R3.07 dans UE32 illisible")
        for e in at.error
    ), [e.value for e in at.error]
    assert changes(at) == ["R3.07 UE31 : 1,5 → 1,0"]


def test_a_year_copies_both_tables_and_decides(real):
    at = open_page(origine="Année 2 (S3+S4) · QMI · MCC QLIO 2025-2026")
    ok(at)
    u = work_uid((QMI, "000-qlio-s4-qmi"))
    # both tables in the grid, each with its UEs: UE31 (S3) and UE41 (S4)
    assert ue_row(at, "UE31")["Part des SAÉ"] == f"41,25{NNBSP}%"
    assert ue_row(at, "UE41")["Total des coefficients"]
    at.selectbox(key=f"scn_tool_table_{u}").select("000-qlio-s4-qmi")
    at = at.run()
    assert at.selectbox(key=f"scn_move_ue_{u}").options[0] == "UE41"
    # a year has RCUEs and a decision: their tables are shown
    texts = [m.value for m in at.markdown]
    assert "**RCUE**" in texts and "**Décisions d'année**" in texts


def test_impact_on_grades_given_as_csv(real):
    """Two students, every module graded. A: 12 everywhere. B: R3.07 20, SAE3.01 0, every other
    module 11. UE31 (R3.07 1,5 · SAE3.01 1,8 · the others 8 - 3,3 = 4,7): B's average before
    (1,5 × 20 + 1,8 × 0 + 4,7 × 11) / 8 = 81,7 / 8 = 10,2125 (validated), after the move
    (1,0 × 20 + 2,3 × 0 + 51,7) / 8 = 71,7 / 8 = 8,9625 (not): UE31 validated 100 % → 50 %."""
    at = open_page(origine=ORIGIN)
    u = work_uid()
    at = move(at, "UE31", "R3.07", "SAE3.01", "0,5", u)
    from ui import scenarios_state as ss

    work = at.session_state[ss.WORKS][ss.new_key((QMI,))]
    from butdata.scenarios import grade_columns

    codes = grade_columns(work.scenario)
    b = {c: "11" for c in codes} | {"R3.07": "20", "SAE3.01": "0"}
    csv = "\n".join(
        [";".join(["etudiant", *codes]), ";".join(["A", *("12" for _ in codes)])]
        + [";".join(["B", *(b[c] for c in codes)])]
    )
    at.radio(key=f"scn_cohort_kind_{u}").set_value("notes").run()
    at = at.text_area(key=f"scn_csv_text_{u}").input(csv).run()
    ok(at)
    table = next(d.value for d in at.dataframe if "UE validée, origine" in d.value.columns)
    ue31 = table[table["UE"] == "UE31"].to_dict("records")[0]
    assert (ue31["UE validée, origine"], ue31["UE validée, proposition"]) == (
        f"100{NNBSP}%",
        f"50{NNBSP}%",
    )
    # mean of UE31: (12 + 10,2125) / 2 = 11,10625 -> 11,11; after (12 + 8,9625) / 2 = 10,48
    assert (ue31["moyenne, origine"], ue31["moyenne, proposition"]) == ("11,11", "10,48")
    assert any("2 étudiants (notes d'un fichier)" in c.value for c in at.caption)
