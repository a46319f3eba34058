"""Scenarios: edits, undo / redo, the French change list, exact values, the difference with the
origin, the impact on a cohort (computed on paper), serialisation and the document. Tables are
built from code (tests/mcc_frames.py) except the acceptance walk on QLIO S3 QMI (document 000)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import polars as pl
import pytest
from conftest import QLIO, source_line
from mcc_frames import combine, table

from butdata.analysis import conformity
from butdata.charts_scenario import impact_chart, ue_diff_chart
from butdata.scenarios import (
    Scenario,
    ScenarioError,
    SetCoefficient,
    grade_columns,
    impact,
    scenario_diff,
    to_document,
)
from butdata.scenarios.diff import cell_diff

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
T1 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
NAN = np.nan

# S3: UE31 = R3.01 1 + SAE3.01 1 (15 ECTS), UE32 = R3.02 2 + SAE3.01 2 (15 ECTS); S4: UE41 =
# R4.01 1 + SAE4.01 1, UE42 = R4.01 1 + SAE4.01 1.
S3 = [("R3.01", {"UE31": "1"}), ("R3.02", {"UE32": "2"}), ("SAE3.01", {"UE31": "1", "UE32": "2"})]
S4 = [("R4.01", {"UE41": "1", "UE42": "1"}), ("SAE4.01", {"UE41": "1", "UE42": "1"})]


def s3_frames():
    return table("t-s3", 3, S3, {"UE31": 15.0, "UE32": 15.0})


def year_frames():
    return combine(s3_frames(), table("t-s4", 4, S4, {"UE41": 15.0, "UE42": 15.0}))


def new(frames=None, ids=("t-s3",)) -> Scenario:
    return Scenario.from_frames(frames or s3_frames(), list(ids), "Essai", "Comité", now=T0)


# --------------------------------------------------------------------------- acceptance


def test_acceptance_walk_qlio_s3_qmi(con):
    from butdata.analysis import queries

    frames = queries.table_frames(con, ["000-qlio-s3-qmi"])
    s = Scenario.from_frames(frames, ["000-qlio-s3-qmi"], "Proposition 2026", now=T0)
    s = s.move_coefficient("UE31", "R3.07", "SAE3.01", "0,5", now=T1)
    assert s.changes() == ["R3.07 UE31 : 1,5 → 1,0", "SAE3.01 UE31 : 1,8 → 2,3"]
    # document 000, S3 QMI: R3.07 and SAE3.01 lines, UE31 column first; total 8 (line 415)
    assert source_line(QLIO, 388).split()[-5:] == ["1.5", "1.50", "0.00", "0.00", "0.00"]
    assert source_line(QLIO, 402).split()[-5:] == ["5.4", "1.80", "1.80", "1.80", "0.00"]
    assert source_line(QLIO, 413).split()[-5:] == ["6", "1.50", "1.50", "1.50", "1.50"]
    ue31 = scenario_diff(s).ues.filter(pl.col("ue") == "UE31").row(0, named=True)
    # SAÉ of UE31: SAE3.01 1,8 + SAE3.QMI.03 1,5 = 3,3 of 8 -> 41,25 %; after 2,3 + 1,5 = 3,8 -> 47,5 %
    assert (ue31["total_before"], ue31["total_after"]) == (8.0, 8.0)
    assert (ue31["sae_before"], ue31["sae_after"]) == (3.3, 3.8)
    assert (ue31["share_before"], ue31["share_after"]) == (0.4125, 0.475)
    others = scenario_diff(s).ues.filter(pl.col("ue") != "UE31")
    assert not others["changed"].any()
    # the proposal checks like a stored table: only the portfolio without coefficient (info)
    findings = conformity.check_frames(s.frames())
    assert [(f.rule, f.module_code, f.severity) for f in findings] == [
        ("module_without_coefficient", "SAE3.PF", "info")
    ]


# --------------------------------------------------------------------------- edits


def test_each_edit_and_its_french_description():
    s = new()
    s = s.set_coefficient("R3.01", "UE31", "1,5", now=T1)
    s = s.set_ects("UE31", 16)
    s = s.set_ects("UE32", 14)
    s = s.add_module("SAE3.09", "Projet tutoré")
    s = s.set_coefficient("SAE3.09", "UE32", 0.5)
    s = s.rename_module("R3.02", "R3.12", "Gestion de projet")
    s = s.set_kind("R3.12", "sae")
    s = s.remove_module("R3.01", now=T1)
    assert s.changes() == [
        "R3.01 UE31 : 1,0 → 1,5",
        "UE31 : ECTS 15 → 16",
        "UE32 : ECTS 15 → 14",
        "ajout du module SAE3.09",
        "SAE3.09 UE32 : 0 → 0,5",
        "R3.02 renommé R3.12 ; R3.12 : intitulé « module R3.02 » → « Gestion de projet »",
        "R3.12 : type ressource → SAÉ",
        "suppression du module R3.01",
    ]
    p = s.proposal
    assert [m.code for m in p.modules] == ["R3.12", "SAE3.01", "SAE3.09"]
    assert p.value("t-s3", "SAE3.09", 2) == Decimal("0.5")
    assert p.value("t-s3", "R3.02", 2) == Decimal("2")  # renamed: same identity, same value
    assert [u.ects for u in p.ues] == [Decimal("16"), Decimal("14")]
    assert s.version == 9 and s.created == T0 and s.updated == T1
    ues = s.frames()["ues"]
    # UE31 = SAE3.01 1 (R3.01 removed); UE32 = R3.12 2 (now SAÉ) + SAE3.01 2 + SAE3.09 0,5 = 4,5
    assert ues["total"].to_list() == [1.0, 4.5] and ues["sae_share"].to_list() == [1.0, 1.0]


def test_undo_redo():
    s0 = new()
    s1 = s0.set_coefficient("R3.01", "UE31", 2, now=T1)
    s2 = s1.move_coefficient("UE32", "R3.02", "SAE3.01", "0.5")  # one step of two edits
    assert s2.can_undo and not s2.can_redo and len(s2.steps) == 2
    u1 = s2.undo()
    assert u1.proposal == s1.proposal and u1.can_redo and u1.changes() == s1.changes()
    u0 = u1.undo()
    assert u0.proposal == s0.proposal and u0.changes() == [] and not u0.can_undo
    r2 = u0.redo().redo()
    assert r2.proposal == s2.proposal and r2.changes() == s2.changes()
    assert [s.version for s in (s0, s1, s2, u1, u0, r2)] == [1, 2, 3, 4, 5, 7]
    # a new edit drops what could be redone
    branch = u1.set_ects("UE31", 14)
    assert not branch.can_redo and branch.changes()[-1] == "UE31 : ECTS 15 → 14"
    with pytest.raises(ScenarioError, match="rien à annuler"):
        s0.undo()
    with pytest.raises(ScenarioError, match="rien à rétablir"):
        s0.redo()


def test_values_stay_exact():
    s = new()
    for _ in range(3):  # 1 - 0,1 - 0,1 - 0,1: 0,7, not 0.7000000000000001
        s = s.move_coefficient("UE31", "R3.01", "SAE3.01", 0.1)
    assert s.changes() == [
        "R3.01 UE31 : 1,0 → 0,9",
        "SAE3.01 UE31 : 1,0 → 1,1",
        "R3.01 UE31 : 0,9 → 0,8",
        "SAE3.01 UE31 : 1,1 → 1,2",
        "R3.01 UE31 : 0,8 → 0,7",
        "SAE3.01 UE31 : 1,2 → 1,3",
    ]
    assert s.proposal.value("t-s3", "R3.01", 1) == Decimal("0.7")
    coef = s.frames()["coefficients"].filter(pl.col("module_code") == "R3.01")
    assert coef["coefficient"].to_list() == [0.7] and coef["printed"].to_list() == ["0.7"]
    # 1,5 - 0,5 shows 1,0; setting 0 removes the value
    s = (
        new()
        .set_coefficient("R3.01", "UE31", "1.5")
        .move_coefficient("UE31", "R3.01", "SAE3.01", "0.5")
    )
    assert s.changes()[-2] == "R3.01 UE31 : 1,5 → 1,0"
    s = s.set_coefficient("R3.01", "UE31", 0)
    assert s.changes()[-1] == "R3.01 UE31 : 1 → 0"  # 1,0 has no significant decimal
    assert "R3.01" not in s.frames()["coefficients"]["module_code"].to_list()


def test_edit_errors_are_french():
    s = new()
    with pytest.raises(ScenarioError, match="module inconnu"):
        s.set_coefficient("R9.99", "UE31", 1)
    with pytest.raises(ScenarioError, match="UE inconnue"):
        s.set_coefficient("R3.01", "UE39", 1)
    with pytest.raises(ScenarioError, match="négatif"):
        s.set_coefficient("R3.01", "UE31", -1)
    with pytest.raises(ScenarioError, match="illisible"):
        s.set_coefficient("R3.01", "UE31", "un et demi")
    with pytest.raises(ScenarioError, match="existe déjà"):
        s.add_module("R3.01")
    with pytest.raises(ScenarioError, match="type de module inconnu"):
        s.set_kind("R3.01", "cours")
    with pytest.raises(ScenarioError, match="n'a que 1"):
        s.move_coefficient("UE31", "R3.01", "SAE3.01", 2)
    year = new(year_frames(), ("t-s3", "t-s4"))
    with pytest.raises(ScenarioError, match="précisez le tableau"):
        year.add_module("R4.09")
    assert year.add_module("R4.09", table_id="t-s4").proposal.module("R4.09").table_id == "t-s4"
    assert year.set_coefficient("R4.01", "UE41", 2).changes() == ["R4.01 UE41 : 1 → 2"]


def test_origin_must_be_attributable():
    grid = table("g-s1", 1, S3, {"UE31": 15.0, "UE32": 15.0}, unattributed=True)
    with pytest.raises(ScenarioError, match="non rattachée"):
        Scenario.from_frames(grid, ["g-s1"], "x")
    with pytest.raises(ScenarioError, match="vide"):
        Scenario.from_frames(table("e-s1", 1, [], {}, status="empty"), ["e-s1"], "x")
    with pytest.raises(ScenarioError, match="introuvable"):
        Scenario.from_frames(s3_frames(), ["nope"], "x")
    with pytest.raises(ScenarioError, match="nom"):
        Scenario.from_frames(s3_frames(), ["t-s3"], "  ")
    with pytest.raises(ScenarioError, match="ne forment pas une année"):
        Scenario.from_frames(year_frames(), ["t-s4", "t-s3"], "x")


# --------------------------------------------------------------------------- difference


def test_diff_grid_cells_totals_and_weights():
    s = (
        new()
        .set_coefficient("R3.01", "UE31", 3)
        .add_module("SAE3.09")
        .set_coefficient("SAE3.09", "UE32", "1")
        .set_coefficient("R3.02", "UE32", 0)
    )
    d = scenario_diff(s)
    cells = {(r["module_code"], r["ue"]): r for r in d.cells.iter_rows(named=True)}
    assert cells[("R3.01", "UE31")]["change"] == "modifié"
    assert (cells[("R3.01", "UE31")]["before_text"], cells[("R3.01", "UE31")]["after_text"]) == (
        "1",
        "3",
    )
    assert cells[("SAE3.09", "UE32")]["change"] == "ajouté"
    assert (
        cells[("R3.02", "UE32")]["change"] == "retiré" and cells[("R3.02", "UE32")]["after"] is None
    )
    assert cells[("SAE3.01", "UE31")]["change"] == "identique"
    grid = {r["module_code"]: r for r in d.grid.iter_rows(named=True)}
    assert grid["R3.01"]["UE31"] == 3.0 and grid["R3.01"]["UE31 avant"] == 1.0
    assert grid["R3.01"]["changed_ues"] == ["UE31"] and grid["SAE3.01"]["changed_ues"] == []
    assert (
        grid["SAE3.09"]["module_change"] == "ajouté"
        and grid["SAE3.01"]["module_change"] == "identique"
    )
    # UE31: 1 + 1 = 2, SAÉ 1/2 -> 3 + 1 = 4, SAÉ 1/4; UE32: 2 + 2 = 4, SAÉ 2/4 -> 2 + 1 = 3, SAÉ 3/3
    ues = d.ues.select("ue", "total_before", "total_after", "share_before", "share_after").rows()
    assert ues == [("UE31", 2.0, 4.0, 0.5, 0.25), ("UE32", 4.0, 3.0, 0.5, 1.0)]
    w = {
        (r["module_code"], r["ue"]): (r["weight_before"], r["weight_after"])
        for r in d.weights.iter_rows(named=True)
    }
    assert w[("R3.01", "UE31")] == (0.5, 0.75) and w[("SAE3.01", "UE31")] == (0.5, 0.25)
    assert w[("R3.02", "UE32")] == (0.5, 0.0) and w[("SAE3.09", "UE32")] == (0.0, 1 / 3)
    removed = scenario_diff(new().remove_module("R3.01")).grid
    assert removed.filter(pl.col("module_code") == "R3.01")["module_change"].to_list() == [
        "supprimé"
    ]
    assert cell_diff(s.base, s.base)["change"].unique().to_list() == ["identique"]


def test_diff_figures():
    s = new().set_coefficient("R3.01", "UE31", 3)
    fig = ue_diff_chart(scenario_diff(s).ues)
    assert [t.name for t in fig.data] == ["origine", "origine", "proposition", "proposition"]
    assert fig.data[2].y == (4.0, 4.0) and fig.data[3].text[0] == "25\u202f%"
    assert "origine et proposition" in fig.layout.title.text
    chart = impact_chart(impact(s, n_students=50, seed=1).ues)
    assert len(chart.data) == 2 and chart.data[0].name == "origine"


# --------------------------------------------------------------------------- impact


def test_impact_computed_on_paper():
    # year S3 + S4, one competence per UE pair; the proposal triples R3.01 in UE31.
    s = new(year_frames(), ("t-s3", "t-s4")).set_coefficient("R3.01", "UE31", 3)
    assert grade_columns(s) == ["R3.01", "R3.02", "SAE3.01", "R4.01", "SAE4.01"]
    grades = np.array(
        [
            # R3.01 R3.02 SAE3.01 R4.01 SAE4.01
            [8, 10, 14, 10, 10],  # UE31 (8+14)/2 = 11 -> (24+14)/4 = 9,5; UE41 10
            [12, 10, 6, 9, 9],  # UE31 9 -> (36+6)/4 = 10,5; UE41 9
            [14, 10, 14, 12, 12],  # UE31 14 -> 14
            [6, 10, 12, 11, 11],  # UE31 9 -> (18+12)/4 = 7,5; UE41 11
        ],
        dtype=float,
    )
    im = impact(s, grades=grades)
    assert im.n_students == 4 and im.seed is None
    ue31 = im.ues.filter(pl.col("ue") == "UE31").row(0, named=True)
    # before: RCUE1 = (11+10)/2 10,5 | (9+9)/2 9 | 13 | (9+11)/2 10 -> ADM, AJ, ADM, CMP
    assert (ue31["adm_before"], ue31["cmp_before"], ue31["aj_before"]) == (0.5, 0.25, 0.25)
    # after: RCUE1 = 9,75 | 9,75 | 13 | 9,25 -> AJ, ADM (10,5), ADM, AJ
    assert (ue31["adm_after"], ue31["cmp_after"], ue31["aj_after"]) == (0.5, 0.0, 0.5)
    assert ue31["passed_before"] == 0.75 and ue31["passed_after"] == 0.5
    assert ue31["passed_delta"] == -0.25
    assert ue31["mean_before"] == pytest.approx((11 + 9 + 14 + 9) / 4)
    assert ue31["mean_after"] == pytest.approx((9.5 + 10.5 + 14 + 7.5) / 4)
    rc1 = im.rcues.filter(pl.col("competence") == 1).row(0, named=True)
    assert (rc1["passed_before"], rc1["passed_after"]) == (0.75, 0.25)
    # competence 2 untouched: UE32 (2*10 + 2*SAE3.01)/4 with UE42 (R4.01+SAE4.01)/2
    rc2 = im.rcues.filter(pl.col("competence") == 2).row(0, named=True)
    assert rc2["passed_before"] == rc2["passed_after"]
    # decisions (2 RCUEs: ADM = both >= 10, PASD needs more than half, i.e. both): before
    # RCUE2 = (12+10)/2=11 | (8+9)/2=8,5 | (12+12)/2=12 | (11+11)/2=11
    # -> A ADM, B AJ, C ADM, D ADM; after RCUE1 fails for A and D -> A AJ, B AJ, C ADM, D AJ
    dec = {
        r["decision"]: (r["count_before"], r["count_after"])
        for r in im.decisions.iter_rows(named=True)
    }
    assert dec["ADM"] == (3, 1) and dec["AJ"] == (1, 3) and dec["PASD"] == (0, 0)
    w = im.weights.filter(pl.col("ue") == "UE31")
    assert dict(zip(w["module_code"], w["weight_after"])) == {"R3.01": 0.75, "SAE3.01": 0.25}


def test_impact_seeded_cohort():
    s = new(year_frames(), ("t-s3", "t-s4")).set_coefficient("R3.01", "UE31", 3)
    # spread 0: every student gets the module means, so the result is computable on paper:
    # UE31 (8+14)/2 = 11 -> 9,5 ; RCUE1 (11+10)/2 -> (9,5+10)/2 = 9,75
    means = {"R3.01": (8, 0), "SAE3.01": (14, 0), "R4.01": (10, 0), "SAE4.01": (10, 0)}
    im = impact(s, n_students=200, seed=7, per_module=means, spread=0, mean=10)
    ue31 = im.ues.filter(pl.col("ue") == "UE31").row(0, named=True)
    assert (ue31["passed_before"], ue31["passed_after"]) == (1.0, 0.0) and im.seed == 7
    dec = {
        r["decision"]: (r["share_before"], r["share_after"])
        for r in im.decisions.iter_rows(named=True)
    }
    assert dec["ADM"] == (1.0, 0.0) and dec["AJ"] == (0.0, 1.0)
    # same seed, same cohort; another seed, another one
    a, b = impact(s, n_students=300, seed=3), impact(s, n_students=300, seed=3)
    assert a.ues.equals(b.ues) and a.decisions.equals(b.decisions)
    assert not impact(s, n_students=300, seed=4).ues.equals(a.ues)


def test_impact_follows_module_identity():
    s = new().set_coefficient("R3.01", "UE31", 3)
    grades = np.array([[8, 10, 14], [12, 10, 6]], dtype=float)
    renamed = s.rename_module("R3.01", "R3.11")
    assert impact(renamed, grades=grades).ues.equals(impact(s, grades=grades).ues)
    added = s.add_module("SAE3.09").set_coefficient("SAE3.09", "UE31", 4)
    assert grade_columns(added) == ["R3.01", "R3.02", "SAE3.01", "SAE3.09"]
    im = impact(added, grades=np.array([[8, 10, 14, 20]], dtype=float))
    # UE31 after: (3*8 + 14 + 4*20) / 8 = 14,75
    assert im.ues.filter(pl.col("ue") == "UE31")["mean_after"].item() == pytest.approx(14.75)
    with pytest.raises(ScenarioError, match="4 colonne"):
        impact(added, grades=grades)


# --------------------------------------------------------------------------- serialisation


def test_round_trip_dict_and_json():
    s = (
        new(year_frames(), ("t-s3", "t-s4"))
        .move_coefficient("UE31", "R3.01", "SAE3.01", "0.25", now=T1)
        .add_module("R4.09", "Nouveau", table_id="t-s4")
        .rename_module("R3.02", new_name="Renommé")
        .set_kind("R4.09", "stage")
        .set_ects("UE41", "14.5")
        .undo()
        .with_info(note="pour le conseil du 12 mars")
    )
    data = s.to_dict()
    text = json.dumps(data)  # plain JSON types only
    back = Scenario.from_json(text)
    assert back == s and back.proposal == s.proposal and back.changes() == s.changes()
    assert back.can_redo and back.redo().changes()[-1] == "UE41 : ECTS 15,0 → 14,5"
    assert data["steps"][0][0] == {
        "op": "set_coefficient",
        "table_id": "t-s3",
        "module": "R3.01",
        "ue": "UE31",
        "value": "0.75",
    }
    assert back.created == T0 and back.note == "pour le conseil du 12 mars"
    with pytest.raises(ScenarioError, match="pas un scénario"):
        Scenario.from_dict({"name": "x"})
    broken = json.loads(text)
    broken["steps"][0][0]["module"] = "R9.99"
    with pytest.raises(ScenarioError, match="module inconnu"):
        Scenario.from_dict(broken)
    with pytest.raises(ScenarioError, match="JSON invalide"):
        Scenario.from_json("{")


def test_edit_values_are_decimals_whatever_they_were_given_as():
    assert SetCoefficient("t", "R", "UE31", 0.1).value == Decimal("0.1")  # type: ignore[arg-type]
    assert SetCoefficient("t", "R", "UE31", "1,25").value == Decimal("1.25")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- document


def test_document_carries_the_scenario_and_its_provenance(tmp_path):
    s = new(year_frames(), ("t-s3", "t-s4")).move_coefficient("UE31", "R3.01", "SAE3.01", "0.5")
    s = s.set_ects("UE41", 14).set_ects("UE42", 16)
    doc = to_document(s)
    assert doc.source == "scénario : Essai" and doc.kind == "scenario" and doc.n_lines == 5
    assert {t.source for t in doc.tables} == {"scénario : Essai"}
    assert [t.table_id for t in doc.tables] == ["scenario-essai-qlio-s3", "scenario-essai-qlio-s4"]
    s3_doc, s4_doc = doc.tables
    assert [(i.line, i.code, i.severity) for i in s3_doc.issues] == [
        (1, "scenario_origin", "info"),
        (2, "scenario_change", "info"),
        (3, "scenario_change", "info"),
    ]
    assert "copie de t-s3 (main.txt, ligne 1)" in s3_doc.issues[0].message
    assert [i.message for i in s4_doc.issues[1:]] == ["UE41 : ECTS 15 → 14", "UE42 : ECTS 15 → 16"]
    coefs = {(c.module_code, c.competence): c for c in s3_doc.coefficients}
    # R3.01 1 - 0,5 = 0,5 (change 1, line 2); SAE3.01 1 + 0,5 = 1,5 (line 3); untouched: line 1
    assert (
        coefs[("R3.01", 1)].coefficient,
        coefs[("R3.01", 1)].printed,
        coefs[("R3.01", 1)].line,
    ) == (0.5, "0,5", 2)
    assert (coefs[("SAE3.01", 1)].printed, coefs[("SAE3.01", 1)].line) == ("1,5", 3)
    assert (coefs[("SAE3.01", 2)].printed, coefs[("SAE3.01", 2)].line) == ("2", 1)
    assert s3_doc.status == "complete" and [u.total for u in s3_doc.ues] == [2.0, 4.0]
    assert [u.sae_share for u in s3_doc.ues] == [0.75, 0.5]  # 1,5 / 2 and 2 / 4
    assert [(u.ects, u.ects_line) for u in s4_doc.ues] == [(14.0, 4), (16.0, 5)]
    assert s4_doc.declared_ects == 30.0 and doc.issues[0].message.startswith("auteur : Comité")
    # the store takes it like any document, and its tables check like stored ones
    from butdata.analysis import queries
    from butdata.store import open_store, write_store

    path = tmp_path / "scenario.duckdb"
    write_store([doc], path, {doc.source: "-"}, "-", "-")
    con = open_store(path)
    try:
        frames = queries.table_frames(con, [t.table_id for t in doc.tables])
        warnings = queries.warnings_of(con, [t.table_id for t in doc.tables])
    finally:
        con.close()
    assert frames["tables"]["source"].to_list() == ["scénario : Essai"] * 2
    assert warnings.height == 6  # per table: the origin and its changes
    # UE31 now has SAÉ 1,5 of 2 = 75 %: the only finding (the year pairs competences 1 and 2)
    found = [(f.table_id, f.rule, f.ue) for f in conformity.check_frames(frames)]
    assert found == [("scenario-essai-qlio-s3", "sae_share_band", "UE31")]
