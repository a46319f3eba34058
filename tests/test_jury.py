"""Jury rules: hand cases (arithmetic in the comments, expected codes from the published rules
in shared/notes/but-rules.md), through the single-student engine and the decision core."""

from __future__ import annotations

import pytest
from test_simulate import frames, rcue_row, ue_row

from butdata.grading import jury
from butdata.grading import student as sim
from butdata.grading.jury import CompetenceInput, UEInput
from butdata.grading.rules import DEFAULT_RULES, Rules

STRICT = Rules(tolerance="strict")
APPROX = pytest.approx

# BUT2 year, 3 competences. UE31 = (1 × A1 + 0.75 × A2) / 1.75; every other UE has one module.
YEAR2 = {
    "s3": {"UE31": {"A1": 1.0, "A2": 0.75}, "UE32": {"B1": 1.0}, "UE33": {"C1": 1.0}},
    "s4": {"UE41": {"A3": 1.0}, "UE42": {"B2": 1.0}, "UE43": {"C2": 1.0}},
}


def run(tables, grades, rules=DEFAULT_RULES, inputs=sim.NO_INPUTS, ids=("s3", "s4"), year=None):
    coefficients, ues = frames(tables)
    return sim.simulate(coefficients, ues, list(ids), grades, rules, None, inputs, year)


def both_12(**grades):
    return {"B1": 12, "B2": 12, "C1": 12, "C2": 12, **grades}


# ---------------------------------------------------------------- tolerance


def test_ue_at_9_99571_is_adm_with_scodoc_tolerance_aj_strict():
    # UE31 = (1 × 10 + 0.75 × 9.99) / 1.75 = (10 + 7.4925) / 1.75 = 17.4925 / 1.75 = 9.995714…
    # ScoDoc: 9.995714 > 10 − 0.00499999999999 = 9.99500000000001 → reached: ADM, shown 10,00.
    # UE41 = 10; RCUE1 = (9.995714 + 10) / 2 = 9.997857 → reached too; RCUE2 = RCUE3 = 12.
    grades = both_12(A1=10, A2=9.99, A3=10)
    r = run(YEAR2, grades)
    assert ue_row(r, "UE31")["average"] == APPROX(17.4925 / 1.75)
    assert ue_row(r, "UE31")["code"] == "ADM"
    assert rcue_row(r, 1)["code"] == "ADM" and r.decision == "ADM"
    assert DEFAULT_RULES.shown(17.4925 / 1.75, (10,)) == 10.0  # « 10,00 ADM »
    assert "Tolérance ScoDoc" in r.rule and "UE31 9,9957" in r.rule
    # Strict (the arrêté's wording): 9.995714 < 10 → AJ, shown 9,99 (never « 10,00 AJ »);
    # RCUE1 9.997857 < 10 → not validated; RCUE2, RCUE3 = 12: 2 of 3 ≥ 10, none < 8 → PASD
    # (BUT2, BUT1 unknown: « sous réserve »).
    s = run(YEAR2, grades, STRICT)
    assert ue_row(s, "UE31")["code"] == "AJ" and rcue_row(s, 1)["code"] == "AJ"
    assert STRICT.shown(17.4925 / 1.75, (10,)) == 9.99
    assert s.decision == "PASD" and "Tolérance stricte" in s.rule
    assert s.to_json_dict()["semesters"][0]["ues"][0]["average"] == 9.9957


def test_rcue_at_7_996_blocks_pasd_only_when_strict():
    # UE31 = (7.996 + 0.75 × 7.996) / 1.75 = 7.996 ; UE41 = 7.996 → RCUE1 = 7.996.
    # ScoDoc: 7.996 > 8 − 0.00499999999999 → not below the floor; RCUE2, RCUE3 = 12: 2 of 3 ≥ 10
    # → PASD. Strict: 7.996 < 8 → AJ, and the rule text shows 7,99 (not « 8,00 »).
    grades = both_12(A1=7.996, A2=7.996, A3=7.996)
    assert run(YEAR2, grades).decision == "PASD"
    s = run(YEAR2, grades, STRICT)
    assert s.decision == "AJ" and "compétence 1 : 7,99" in s.rule
    assert STRICT.shown(7.996, (10, 8)) == 7.99 and DEFAULT_RULES.shown(7.996, (10, 8)) == 8.0


def test_shown_never_contradicts_reaching():
    for rules in (DEFAULT_RULES, STRICT, Rules(pass_mark=12, rcue_floor=9.5)):
        for cents in range(0, 2001):
            for tail in (-0.004999, -0.0001, 0.0, 0.0001, 0.004999):
                v = min(max(cents / 100 + tail, 0), 20)
                for mark in (rules.pass_mark, rules.rcue_floor):
                    for digits in (2, 4):
                        assert rules.reaches(
                            rules.shown(v, (mark,), digits), mark
                        ) == rules.reaches(v, mark), (v, mark, digits, rules.tolerance)


# ---------------------------------------------------------------- year by year

FINAL = {
    "s5": {f"UE5{c}": {f"O{c}": 1.0} for c in range(1, 5)},
    "s6": {f"UE6{c}": {f"E{c}": 1.0} for c in range(1, 5)},
}


def test_final_year_is_never_pasd():
    # S5+S6 (UE5x / UE6x → BUT3): RCUEs 12, 12, 12, 9 → 3 of 4 ≥ 10, none < 8: PASD in BUT1/BUT2,
    # but no year follows BUT3: AJ (the jury decides).
    grades = {"O1": 12, "E1": 12, "O2": 12, "E2": 12, "O3": 12, "E3": 12, "O4": 9, "E4": 9}
    r = run(FINAL, grades, ids=("s5", "s6"))
    assert r.year == 3 and r.decision == "AJ"
    assert "dernière année (BUT3)" in r.rule and "pas de passage de droit" in r.rule
    # the same RCUEs as a BUT1 year give PASD (year given as from the tables' semesters)
    assert run(FINAL, grades, ids=("s5", "s6"), year=1).decision == "PASD"
    # every RCUE ≥ 10 in BUT3: ADM, « année validée : diplôme si les années précédentes le sont »
    grades.update(O4=10, E4=10)
    r = run(FINAL, grades, ids=("s5", "s6"))
    assert r.decision == "ADM" and "diplôme si les années précédentes le sont" in r.rule


def test_but2_needs_every_but1_ue_for_pasd():
    # RCUEs (9 + 9)/2 = 9, 12, 12: 2 of 3 ≥ 10, none < 8 → the PASD conditions hold.
    grades = both_12(A1=9, A2=9, A3=9)
    unknown = run(YEAR2, grades)
    assert unknown.decision == "PASD"
    assert "sous réserve de la validation de toutes les UE du BUT1" in unknown.rule
    no = run(YEAR2, grades, inputs=sim.JuryInputs(but1_validated=False))
    assert no.decision == "AJ" and "toutes les UE du BUT1" in no.rule
    yes = run(YEAR2, grades, inputs=sim.JuryInputs(but1_validated=True))
    assert yes.decision == "PASD" and "réserve" not in yes.rule
    # BUT1 condition irrelevant when every RCUE is validated (ADM)
    adm = run(YEAR2, both_12(A1=12, A2=12, A3=12), inputs=sim.JuryInputs(but1_validated=False))
    assert adm.decision == "ADM"


def test_year_from_semester_numbers():
    assert [jury.year_of_semester(s) for s in (1, 2, 3, 4, 5, 6, 7, None)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        None,
        None,
    ]


# ---------------------------------------------------------------- provisional


def test_ungraded_module_makes_the_decision_provisional():
    # A2 not graded: UE31 = 1 × 12 / 1 = 12 (A2 left out of both sums). Every RCUE ≥ 10 → ADM,
    # but provisional: « provisoire (1 module non noté) »; the grade needed stays shown.
    r = run(YEAR2, both_12(A1=12, A3=12))
    assert r.decision == "ADM" and r.provisional and r.n_ungraded == 1
    assert "provisoire (1 module non noté)" in r.rule
    assert r.to_json_dict()["provisional"] is True
    # needed for UE31: (12 + 0.75 x) / 1.75 ≥ 10 already with x = 0 (12/1.75 = 6.86 < 10, no):
    # x = (17.5 − 12) / 0.75 = 7.3333…
    row = ue_row(r, "UE31")
    assert (row["needed_status"], row["needed"]) == ("to_reach", APPROX(5.5 / 0.75))
    full = run(YEAR2, both_12(A1=12, A2=12, A3=12))
    assert not full.provisional and "provisoire" not in full.rule


# ---------------------------------------------------------------- capitalisation, bonus


def test_capitalised_ue_average_is_kept_when_better():
    # UE31 this year = (6 + 0.75 × 6) / 1.75 = 6; capitalised 12 (validated earlier) → 12 used;
    # RCUE1 = (12 + UE41 8) / 2 = 10 → validated; the year: 10, 12, 12 → ADM.
    inputs = sim.JuryInputs(capitalised={"UE31": 12.0})
    r = run(YEAR2, both_12(A1=6, A2=6, A3=8), inputs=inputs)
    row = ue_row(r, "UE31")
    assert row["average"] == 12.0 and row["raw_average"] == APPROX(6.0) and row["capitalised"]
    assert rcue_row(r, 1)["average"] == APPROX(10.0) and r.decision == "ADM"
    # a capitalised average below this year's is not used: UE31 = 14 stays 14
    r = run(YEAR2, both_12(A1=14, A2=14, A3=8), inputs=inputs)
    assert ue_row(r, "UE31")["average"] == APPROX(14.0) and not ue_row(r, "UE31")["capitalised"]


def test_bonus_is_added_and_clamped_at_20():
    # Bonus 1 point on every UE (rules) + 0.5 on UE31 (its own): UE31 = 19.6 + 1.5 = 21.1 → 20;
    # UE41 = 9.2 + 1 = 10.2 → ADM; RCUE1 = (20 + 10.2) / 2 = 15.1.
    rules = Rules(bonus=1.0)
    inputs = sim.JuryInputs(bonus={"UE31": 0.5})
    r = run(YEAR2, both_12(A1=19.6, A2=19.6, A3=9.2), rules, inputs)
    assert ue_row(r, "UE31")["average"] == 20.0 and ue_row(r, "UE31")["bonus"] == 1.5
    assert ue_row(r, "UE41")["average"] == APPROX(10.2) and ue_row(r, "UE41")["code"] == "ADM"
    assert rcue_row(r, 1)["average"] == APPROX(15.1)
    # a malus: 9.2 − 0.5 = 8.7 (UE41 AJ); the bounds hold below too: 0.3 − 1 → 0
    r = run(
        YEAR2,
        both_12(A1=0.3, A2=0.3, A3=9.2),
        Rules(bonus=-0.5),
        sim.JuryInputs(bonus={"UE31": -0.5}),
    )
    assert ue_row(r, "UE41")["average"] == APPROX(8.7) and ue_row(r, "UE31")["average"] == 0.0


def test_bonus_moves_the_needed_grade():
    # UE11 = (2 × 8 + 2 × x) / 4 + 1 ≥ 10 → 8 + x/2... (16 + 2x)/4 = 9 → x = 10 (12 without bonus)
    coefficients, ues = frames({"s": {"UE11": {"M1": 2, "M2": 2}}})
    r = sim.simulate(coefficients, ues, ["s"], {"M1": 8}, Rules(bonus=1.0))
    row = ue_row(r, "UE11")
    assert (row["needed_status"], row["needed"]) == ("to_reach", APPROX(10.0))


# ---------------------------------------------------------------- jury decisions


def test_jury_adj_on_an_rcue():
    # RCUE1 = (9 + 9) / 2 = 9 < 10; RCUE2, RCUE3 = 12. Rules alone: 2 of 3 → PASD.
    # The jury validates RCUE1 (ADJ): every RCUE validated → ADM; UE31, UE41 (9, below 10, in an
    # RCUE validated by the jury) → ADJR.
    inputs = sim.JuryInputs(rcue_jury={1: "ADJ"}, year_jury="ADM")
    r = run(YEAR2, both_12(A1=9, A2=9, A3=9), inputs=inputs)
    assert rcue_row(r, 1)["code"] == "ADJ" and rcue_row(r, 1)["validated"]
    assert ue_row(r, "UE31")["code"] == "ADJR" and ue_row(r, "UE41")["code"] == "ADJR"
    assert r.decision == "ADM" and r.outcome.rule_only == "PASD"
    assert "dont 1 par le jury" in r.rule and "Sans les décisions du jury" in r.rule
    assert r.outcome.jury_year == "ADM" and "Décision du jury pour l'année : ADM" in r.rule


def test_jury_adj_on_a_ue_and_aj_on_an_rcue():
    # UE41 = 9 validated by the jury (ADJ): its code is ADJ, the RCUE is still (9 + 9)/2 = 9.
    inputs = sim.JuryInputs(ue_jury={"UE41": "ADJ"})
    r = run(YEAR2, both_12(A1=9, A2=9, A3=9), inputs=inputs)
    assert ue_row(r, "UE41")["code"] == "ADJ" and ue_row(r, "UE31")["code"] == "AJ"
    assert rcue_row(r, 1)["code"] == "AJ" and r.decision == "PASD"
    # the jury refusing an RCUE that reached 10 (AJ): 12 → AJ, one RCUE less
    r = run(YEAR2, both_12(A1=12, A2=12, A3=12), inputs=sim.JuryInputs(rcue_jury={2: "AJ"}))
    assert rcue_row(r, 2)["code"] == "AJ" and r.decision == "PASD" and r.outcome.rule_only == "ADM"
    with pytest.raises(sim.GradeError):
        sim.JuryInputs(rcue_jury={1: "XYZ"})


def test_adsup_from_the_second_year():
    # BUT2: RCUE1 = 12, RCUE2 = 12 validated, RCUE3 = (9 + 9)/2 = 9 not: ADSUP for 1 and 2.
    r = run(YEAR2, {"A1": 12, "A2": 12, "A3": 12, "B1": 12, "B2": 12, "C1": 9, "C2": 9})
    assert r.outcome.adsup == (1, 2) and "ADSUP" in r.rule and "compétence 1, 2" in r.rule
    # BUT1: no lower level
    y1 = {
        "s1": {"UE11": {"A1": 1.0}, "UE12": {"B1": 1.0}},
        "s2": {"UE21": {"A2": 1.0}, "UE22": {"B2": 1.0}},
    }
    r = run(y1, {"A1": 12, "A2": 12, "B1": 12, "B2": 12}, ids=("s1", "s2"))
    assert r.year == 1 and r.outcome.adsup == () and "ADSUP" not in r.rule


def test_compensation_codes_from_averages():
    # RCUE (9 + 12)/2 = 10.5: CMP (one UE below 10); both ≥ 10: ADM; 9.5: AJ.
    out = jury.decide_year(
        [
            CompetenceInput(1, UEInput(9, "UE31"), UEInput(12, "UE41")),
            CompetenceInput(2, UEInput(10, "UE32"), UEInput(12, "UE42")),
            CompetenceInput(3, UEInput(9, "UE33"), UEInput(10, "UE43")),
        ],
        year=2,
    )
    assert [r.code for r in out.rcues] == ["CMP", "ADM", "AJ"]
    assert [r.odd.code for r in out.rcues] == ["CMP", "ADM", "AJ"]
    assert out.decision == "PASD"  # 2 of 3 ≥ 10, 9.5 ≥ 8


# ---------------------------------------------------------------- module keys, simplified mode


def test_modules_without_code_are_keyed_by_their_printed_name():
    # A block-layout source prints names only: « Anglais » (UE11 × 2) and « Projet » (UE11 × 1,
    # UE12 × 3). Each value has a name, so the table simulates per module, not in simplified
    # mode: UE11 = (2 × 14 + 1 × 8) / 3 = 36 / 3 = 12 ; UE12 = 8.
    import polars as pl

    coefficients = pl.DataFrame(
        {
            "table_id": ["b1"] * 3,
            "ue": ["UE11", "UE11", "UE12"],
            "competence": [1, 1, 2],
            "module_code": [None, None, None],
            "module_name": ["Anglais", "Projet", "Projet"],
            "coefficient": [2.0, 1.0, 3.0],
        },
        schema_overrides={"module_code": pl.String},
    )
    ues = pl.DataFrame({"table_id": ["b1", "b1"], "ue": ["UE11", "UE12"], "competence": [1, 2]})
    assert sim.table_mode(coefficients, "b1") == "modules"
    weights, mode = sim.semester_weights(coefficients, ues, "b1")
    assert mode == "modules" and sim.known_codes(weights) == ["Anglais", "Projet"]
    grades = sim.normalise_grades({"anglais": 14, "Projet": 8}, sim.known_codes(weights))
    r = sim.simulate(coefficients, ues, ["b1"], grades)
    assert ue_row(r, "UE11")["average"] == APPROX(12.0) and ue_row(r, "UE12")["average"] == 8.0
    # a value with neither code nor name is not attributable: simplified mode
    anonymous = coefficients.with_columns(module_name=pl.lit(None, pl.String))
    assert sim.table_mode(anonymous, "b1") == "coarse"


def test_simplified_mode_has_one_definition():
    # The weights and the page's sliders read the same pseudo-modules (label, weight, source).
    import polars as pl

    from butdata.grading.structure import coarse_modules

    ues = pl.DataFrame(
        {
            "table_id": ["d1", "d1"],
            "ue": ["UE11", "UE12"],
            "competence": [1, 2],
            "sae_share": [0.4, None],
            "source_line": [12, 13],
        }
    )
    mods, unknown = coarse_modules(ues, "d1")
    assert [(m.code, m.weight) for m in mods] == [("UE11:SAE", 0.4), ("UE11:RES", 0.6)]
    assert mods[0].label == "Moyenne des SAÉ (40\u202f%)" and "ligne 12" in mods[0].help
    assert unknown == ["UE12"]
    coefficients = pl.DataFrame(
        {
            "table_id": ["d1"],
            "ue": ["UE11"],
            "competence": [1],
            "module_code": [None],
            "coefficient": [1.0],
        },
        schema_overrides={"module_code": pl.String},
    )
    weights, mode = sim.semester_weights(coefficients, ues, "d1")
    assert mode == "coarse"
    assert list(zip(weights["module_code"], weights["coefficient"])) == [
        (m.code, m.weight) for m in mods
    ]
