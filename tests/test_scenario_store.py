"""Saved scenarios in the store (butdata.store.scenario_files / scenario_saves) and the council's
documents (butdata.exports.scenario_xlsx, butdata.report.council), without the page.

Tables are built from code (tests/mcc_frames.py); every expected value is written by hand from
them: S3 = UE31 (R3.01 1 + SAE3.01 1, 15 ECTS), UE32 (R3.02 2 + SAE3.01 2, 15 ECTS)."""

from __future__ import annotations

import json
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from conftest import QLIO, qlio_site
from mcc_frames import table

from butdata.analysis import queries
from butdata.errors import ButdataError
from butdata.exports.scenario_xlsx import council_xlsx
from butdata.readers import read_document
from butdata.report import render_pdf
from butdata.report.council import council_page
from butdata.scenarios import Scenario, impact, scenario_source, to_document
from butdata.store import build_store, open_store
from butdata.store import scenario_files as sf
from butdata.store.build import sources_fingerprint
from butdata.store.scenario_saves import ScenarioConflict, delete_scenario, save_scenario

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
S3 = [("R3.01", {"UE31": "1"}), ("R3.02", {"UE32": "2"}), ("SAE3.01", {"UE31": "1", "UE32": "2"})]


def scenario(name: str = "Essai") -> Scenario:
    frames = table("t-s3", 3, S3, {"UE31": 15.0, "UE32": 15.0})
    s = Scenario.from_frames(frames, ["t-s3"], name, "Comité", now=T0)
    return s.move_coefficient("UE31", "R3.01", "SAE3.01", "0,5", now=T0)


@pytest.fixture()
def site(tmp_path) -> tuple[Path, Path]:
    sources, db = qlio_site(tmp_path)
    return sources, db


def _save(site, s: Scenario, expected=None):
    sources, db = site
    return save_scenario(
        db, sources, s.to_dict(), to_document(s), expected=expected, saved_by="marie"
    )


def test_save_stores_the_scenario_beside_the_sources_with_its_provenance(site):
    sources, db = site
    before = sources_fingerprint(sources)
    result = _save(site, scenario())
    assert result.file == "essai.json"
    assert (sources.parent / "scenarios" / "essai.json").is_file()
    assert sources_fingerprint(sources) != before  # another process sees the store is stale
    con = open_store(db)
    try:
        rows = queries.table_frames(con, result.added)
        assert rows["tables"]["source"].to_list() == [scenario_source("Essai")]
        assert rows["tables"]["source"].to_list() == ["scénario : Essai"]
        # UE31 after the move: R3.01 0,5 + SAE3.01 1,5 (hand: 1 - 0,5, 1 + 0,5)
        ue31 = rows["coefficients"].filter(rows["coefficients"]["ue"] == "UE31")
        got = dict(zip(ue31["module_code"].to_list(), ue31["coefficient"].to_list()))
        assert got == {"R3.01": 0.5, "SAE3.01": 1.5}
        # provenance: line 1 is the copy of the origin, lines 2-3 the two changes
        warnings = con.sql(
            "SELECT source_line, message FROM warnings WHERE source = $s ORDER BY source_line",
            params={"s": "scénario : Essai"},
        ).fetchall()
        messages = [m for _, m in warnings]
        assert any(m.startswith("copie de t-s3") for m in messages)
        assert "R3.01 UE31 : 1,0 → 0,5" in messages
        assert "SAE3.01 UE31 : 1,0 → 1,5" in messages
        # the departments' documents are untouched: one document file, plus the scenario
        docs = con.sql("SELECT source, kind FROM sources ORDER BY source").fetchall()
        assert [d for d, _ in docs] == [QLIO.name, "scénario : Essai"]
        assert dict(docs)["scénario : Essai"] == "scenario"
    finally:
        con.close()


def test_second_save_of_the_same_version_is_a_conflict_and_writes_nothing(site):
    first = _save(site, scenario())
    opened = first.saved.identity
    # two sessions opened the same version; the first saves an edit
    a = Scenario.from_dict(first.saved.scenario).set_ects("UE31", "14")
    b = Scenario.from_dict(first.saved.scenario).set_ects("UE32", "16")
    done = _save(site, a, expected=opened)
    with pytest.raises(ScenarioConflict) as err:
        _save(site, b, expected=opened)
    assert str(err.value).startswith("Conflit : « Essai » a été enregistré par marie le ")
    assert "rien n'a été enregistré" in str(err.value)
    on_disk = sf.find(site[0].parent / "scenarios", "Essai")
    assert on_disk is not None and on_disk.identity == done.saved.identity
    assert [e["ue"] for step in on_disk.scenario["steps"] for e in step][-1] == "UE31"


def test_concurrent_saves_under_the_lock_exactly_one_wins(site):
    opened = _save(site, scenario()).saved.identity
    outcomes: list[str] = []

    def one(ects: str) -> None:
        s = Scenario.from_dict(sf.find(site[0].parent / "scenarios", "Essai").scenario)
        try:
            _save(site, s.set_ects("UE31", ects), expected=opened)
            outcomes.append("saved")
        except ScenarioConflict:
            outcomes.append("conflict")

    threads = [threading.Thread(target=one, args=(e,)) for e in ("14", "16")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "saved"]


def test_a_new_scenario_cannot_take_a_saved_name(site):
    _save(site, scenario())
    with pytest.raises(ScenarioConflict, match="existe déjà"):
        _save(site, scenario())


def test_delete_rebuilds_without_the_scenario(site):
    sources, db = site
    result = _save(site, scenario())
    removed = delete_scenario(db, sources, "Essai", expected=result.saved.identity)
    assert removed == result.added
    con = open_store(db)
    try:
        assert queries.table_frames(con, removed)["tables"].height == 0
    finally:
        con.close()
    with pytest.raises(ButdataError, match="introuvable"):
        delete_scenario(db, sources, "Essai", expected=None)


def test_an_unreadable_scenario_file_never_takes_the_documents_down(site):
    sources, db = site
    directory = sources.parent / "scenarios"
    directory.mkdir()
    (directory / "casse.json").write_text("{pas du json", encoding="utf-8")
    build_store(sources, db)
    con = open_store(db)
    try:
        n = con.sql("SELECT count(*) FROM tables WHERE source = $s", params={"s": QLIO.name})
        assert n.fetchall()[0][0] > 0
        msgs = con.sql("SELECT message FROM warnings WHERE code = 'scenario_unreadable'").fetchall()
        assert len(msgs) == 1 and "casse.json" in msgs[0][0] and "JSON invalide" in msgs[0][0]
    finally:
        con.close()


def test_a_file_cannot_pass_its_values_off_as_a_document(site):
    sources, db = site
    s = scenario()
    body = json.loads(sf.encode(s.name, s.to_dict(), to_document(s), "x", T0))
    body["document"]["tables"][0]["table_id"] = "000-qlio-s3-qmi"  # a department's table id
    directory = sources.parent / "scenarios"
    directory.mkdir()
    (directory / "essai.json").write_text(json.dumps(body), encoding="utf-8")
    docs, _ = sf.documents(directory)
    assert docs[0].tables == []
    assert "identifiant de tableau" in docs[0].issues[0].message


# --------------------------------------------------------------------------- council


def test_council_workbook_reimports_as_the_same_table(tmp_path):
    s = scenario().set_kind("R3.02", "sae").set_ects("UE32", "14")
    path = tmp_path / "conseil.xlsx"
    path.write_bytes(council_xlsx(s))
    doc = read_document(path)
    assert len(doc.tables) == 1  # the « Proposition » sheet only
    t = doc.tables[0]
    assert (t.semester, t.formation) == (3, "QLIO")
    got = {(c.module_code, c.competence): c.coefficient for c in t.coefficients}
    # hand: UE31 R3.01 0,5, SAE3.01 1,5; UE32 R3.02 2, SAE3.01 2
    assert got == {("R3.01", 1): 0.5, ("SAE3.01", 1): 1.5, ("R3.02", 2): 2.0, ("SAE3.01", 2): 2.0}
    assert {m.code: m.kind for m in t.modules} == {
        "R3.01": "ressource",
        "R3.02": "sae",
        "SAE3.01": "sae",
    }
    assert [(u.code, u.ects, u.total) for u in t.ues] == [("UE31", 15.0, 2.0), ("UE32", 14.0, 4.0)]
    # and the same proposal, copied again, is the scenario's table
    frames = s.frames()
    proposal = {
        (r["module_code"], r["competence"]): r["coefficient"]
        for r in frames["coefficients"].iter_rows(named=True)
    }
    assert got == proposal


def test_council_workbook_highlights_the_changed_cells(tmp_path):
    import openpyxl

    path = tmp_path / "conseil.xlsx"
    path.write_bytes(council_xlsx(scenario()))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Proposition", "Origine - proposition", "Conformité", "Scénario"]
    ws = wb["Origine - proposition"]
    filled = {
        (ws.cell(c.row, 1).value, ws.cell(4 + 1, c.column).value, c.value)
        for row in ws.iter_rows()
        for c in row
        if c.fill is not None
        and c.fill.fgColor is not None
        and c.fill.fgColor.rgb == "FFFFE08A"
        and isinstance(c.value, (int, float))
    }
    # changed: R3.01 UE31 1 -> 0,5 and SAE3.01 UE31 1 -> 1,5 (proposal columns)
    assert {(code, value) for code, _, value in filled} >= {("R3.01", 0.5), ("SAE3.01", 1.5)}
    assert ("R3.02", 2) not in {(code, value) for code, _, value in filled}


def test_council_note_pdf_text(tmp_path):
    s = scenario().with_info(note="Plus de SAÉ en UE31", now=T0)
    result = impact(s, n_students=200, seed=1)
    pdf = render_pdf(council_page(s, impact=result, when=datetime(2026, 12, 1, 10, 42)))
    path = tmp_path / "note.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Note au conseil — Essai" in flat
    assert "Comité" in flat  # the author
    assert "1er décembre 2026 à 10:42" in flat  # the date
    assert "Plus de SAÉ en UE31" in flat
    assert "R3.01 UE31 : 1,0 → 0,5" in flat
    # UE31 SAÉ share: 1 / 2 = 50 % before, 1,5 / 2 = 75 % after (outside the 40-60 % band)
    assert "50 %" in flat.replace("\u202f", " ") and "75 %" in flat.replace("\u202f", " ")
    assert "Conformité" in flat and "Effet sur les étudiants" in flat
    assert "Cohorte simulée de 200 étudiants (graine 1)" in flat
