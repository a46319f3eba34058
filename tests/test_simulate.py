"""Single-student simulation: hand-computed expectations (arithmetic in the comments) and
hypothesis properties. Frames are built here in the shape of the store views."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from butdata.grading import student as sim
from butdata.grading.rules import DEFAULT_RULES, Rules

APPROX = pytest.approx


def frames(
    tables: dict[str, dict[str, dict[str, float]]],
    shares: dict[str, float] | None = None,
    anonymous: bool = False,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(coefficients, ues) from {table_id: {ue: {module_code: coef}}}; competence = last digit
    of the UE code. Zero coefficients are kept to check they are ignored. ``anonymous`` drops
    the module codes (damaged table)."""
    coef_rows, ue_rows = [], []
    for tid, ues in tables.items():
        for line, (ue, modules) in enumerate(ues.items()):
            comp = int(ue[-1])
            ue_rows.append((tid, ue, comp, (shares or {}).get(ue), line))
            for pos, (code, c) in enumerate(modules.items()):
                coef_rows.append((tid, ue, comp, None if anonymous else code, c, pos + 1))
    coefficients = pl.DataFrame(
        coef_rows,
        orient="row",
        schema={
            "table_id": pl.String,
            "ue": pl.String,
            "competence": pl.Int32,
            "module_code": pl.String,
            "coefficient": pl.Float64,
            "position": pl.Int32,
        },
    )
    ues = pl.DataFrame(
        ue_rows,
        orient="row",
        schema={
            "table_id": pl.String,
            "ue": pl.String,
            "competence": pl.Int32,
            "sae_share": pl.Float64,
            "source_line": pl.Int32,
        },
    )
    return coefficients, ues


def ue_row(result: sim.SimulationResult, ue: str) -> dict:
    for s in result.semesters:
        rows = s.ues.filter(pl.col("ue") == ue)
        if rows.height:
            return rows.row(0, named=True)
    raise KeyError(ue)


def rcue_row(result: sim.SimulationResult, comp: int) -> dict:
    return result.rcues.filter(pl.col("competence") == comp).row(0, named=True)


# QLIO S1 excerpt (MCC QLIO 2025-2026): R1.01 feeds the three UEs, SAE1.01 only UE11, R1.09 only UE12.
S1 = {
    "s1": {
        "UE11": {"R1.01": 0.5, "SAE1.01": 2.0, "R1.09": 0.0},
        "UE12": {"R1.01": 0.5, "R1.09": 1.4, "SAE1.01": 0.0},
        "UE13": {"R1.01": 0.5, "R1.11": 1.4},
    }
}


def test_ue_average_shared_module_and_ungraded_modules():
    coefficients, ues = frames(S1)
    r = sim.simulate(coefficients, ues, ["s1"], {"R1.01": 12, "SAE1.01": 8})
    # UE11 = (0.5*12 + 2*8) / (0.5+2) = 22/2.5 = 8.8
    assert ue_row(r, "UE11")["average"] == APPROX(8.8)
    # UE12: R1.09 not graded, left out of both sums: (0.5*12) / 0.5 = 12
    assert ue_row(r, "UE12")["average"] == APPROX(12.0)
    assert ue_row(r, "UE12")["n_ungraded"] == 1
    # single table: ADM / AJ only, no RCUE, no decision
    assert [ue_row(r, u)["code"] for u in ("UE11", "UE12", "UE13")] == ["AJ", "ADM", "ADM"]
    assert r.rcues.height == 0 and r.decision is None
    assert "Un seul semestre" in r.rule


def test_ue_without_any_grade_has_no_average_not_zero():
    coefficients, ues = frames(S1)
    r = sim.simulate(coefficients, ues, ["s1"], {"SAE1.01": 15})
    # UE12 is fed by R1.01 and R1.09 (SAE1.01 has coefficient 0 there): nothing graded
    row = ue_row(r, "UE12")
    assert row["average"] is None and row["code"] is None
    # UE11 = 2*15 / 2 = 15
    assert ue_row(r, "UE11")["average"] == APPROX(15.0)


def test_coefficient_zero_module_counts_nowhere():
    coefficients, ues = frames(S1)
    base = sim.simulate(coefficients, ues, ["s1"], {"R1.01": 12, "SAE1.01": 8})
    # R1.09 has coefficient 0 in UE11: a grade of 0 there must not move UE11 (still 22/2.5 = 8.8)
    with_zero = sim.simulate(coefficients, ues, ["s1"], {"R1.01": 12, "SAE1.01": 8, "R1.09": 0})
    assert ue_row(with_zero, "UE11")["average"] == APPROX(8.8)
    assert ue_row(with_zero, "UE11")["n_graded"] == ue_row(base, "UE11")["n_graded"] == 2
    # ... but it counts in UE12: (0.5*12 + 1.4*0) / (0.5+1.4) = 6/1.9 = 3.1578...
    assert ue_row(with_zero, "UE12")["average"] == APPROX(6 / 1.9)
    # a module whose coefficients are all 0 (portfolio) is a known code, accepted, ignored
    modules = pl.DataFrame({"table_id": ["s1"], "module_code": ["SAE1.PF"]})
    w, _ = sim.semester_weights(coefficients, ues, "s1")
    codes = sim.known_codes(w, modules, ["s1"])
    assert "SAE1.PF" in codes and "R1.09" in codes
    grades = sim.normalise_grades({"SAE1.PF": 3, "R1.01": 12, "SAE1.01": 8}, codes)
    r = sim.simulate(coefficients, ues, ["s1"], grades)
    assert ue_row(r, "UE11")["average"] == APPROX(8.8)


# A year with 3 competences, one module per UE unless stated: averages equal the grades.
YEAR = {
    "s3": {"UE31": {"A1": 1.0}, "UE32": {"B1": 1.0}, "UE33": {"C1": 1.0}},
    "s4": {"UE41": {"A2": 1.0}, "UE42": {"B2": 1.0}, "UE43": {"C2": 1.0}},
}


def year(grades: dict[str, float], rules: Rules = DEFAULT_RULES) -> sim.SimulationResult:
    coefficients, ues = frames(YEAR)
    return sim.simulate(coefficients, ues, ["s3", "s4"], grades, rules)


def test_compensation_inside_rcue():
    r = year({"A1": 9, "A2": 12, "B1": 14, "B2": 13, "C1": 10, "C2": 10})
    # RCUE1 = (9 + 12) / 2 = 10.5 >= 10: UE31 (9) is validated by compensation
    assert rcue_row(r, 1)["average"] == APPROX(10.5)
    assert ue_row(r, "UE31")["code"] == "CMP"
    assert ue_row(r, "UE41")["code"] == "ADM"
    # all RCUEs >= 10 (10.5, 13.5, 10): the year is ADM
    assert r.decision == "ADM" and r.rule.startswith("ADM")


def test_no_compensation_when_rcue_below_pass_mark():
    r = year({"A1": 9, "A2": 10.5, "B1": 14, "B2": 13, "C1": 12, "C2": 12})
    # RCUE1 = (9 + 10.5) / 2 = 9.75 < 10: UE31 stays AJ; competences never compensate each other
    assert rcue_row(r, 1)["average"] == APPROX(9.75)
    assert ue_row(r, "UE31")["code"] == "AJ"
    assert ue_row(r, "UE41")["code"] == "ADM"
    # RCUEs 9.75, 13.5, 12: 2 of 3 >= 10 (more than half), none < 8: PASD
    assert r.decision == "PASD"
    assert "PASD" in r.rule and "aucun < 8" in r.rule


def test_rcue_below_floor_blocks_pasd():
    r = year({"A1": 7, "A2": 8, "B1": 14, "B2": 13, "C1": 12, "C2": 12})
    # RCUE1 = (7 + 8) / 2 = 7.5 < 8: AJ although 2 of 3 RCUEs (13.5, 12) are >= 10
    assert rcue_row(r, 1)["average"] == APPROX(7.5)
    assert r.decision == "AJ"
    assert "RCUE < 8" in r.rule and "compétence 1 : 7,5" in r.rule


def test_not_more_than_half_is_aj():
    four = {
        "s3": {f"UE3{c}": {f"O{c}": 1.0} for c in range(1, 5)},
        "s4": {f"UE4{c}": {f"E{c}": 1.0} for c in range(1, 5)},
    }
    coefficients, ues = frames(four)
    grades = {"O1": 12, "E1": 12, "O2": 11, "E2": 11, "O3": 9, "E3": 9, "O4": 9, "E4": 9}
    r = sim.simulate(coefficients, ues, ["s3", "s4"], grades)
    # RCUEs 12, 11, 9, 9: 2 of 4 >= 10 is not more than half (at least 3 needed), none < 8: AJ
    assert r.decision == "AJ"
    assert "au moins 3" in r.rule
    grades.update(O3=11, E3=11)  # now 3 of 4, RCUE4 = 9 >= 8: PASD
    assert sim.simulate(coefficients, ues, ["s3", "s4"], grades).decision == "PASD"


def test_pending_ue_makes_decision_pending_not_failure():
    # C2 not given: UE43 has no grade, RCUE3 has no average; RCUE1 = 2 < 8 would fail otherwise
    r = year({"A1": 2, "A2": 2, "B1": 14, "B2": 13, "C1": 12})
    assert rcue_row(r, 3)["average"] is None
    assert r.decision is None and r.rule.startswith("En attente")
    assert ue_row(r, "UE43")["code"] is None


def test_competence_without_ue_in_one_semester_is_not_decidable():
    tables = {"s3": dict(YEAR["s3"]), "s4": {"UE41": {"A2": 1.0}, "UE42": {"B2": 1.0}}}
    coefficients, ues = frames(tables)
    r = sim.simulate(
        coefficients, ues, ["s3", "s4"], {"A1": 12, "A2": 12, "B1": 12, "B2": 12, "C1": 12}
    )
    assert r.decision is None and "compétence(s) 3" in r.rule
    assert r.rcues["competence"].to_list() == [1, 2]


def test_rules_are_settings():
    # pass mark 12: UE31 = 11 is no longer validated; RCUE1 = (11 + 14) / 2 = 12.5 compensates it
    r = year({"A1": 11, "A2": 14, "B1": 12, "B2": 12, "C1": 12, "C2": 12}, Rules(pass_mark=12))
    assert ue_row(r, "UE31")["code"] == "CMP" and r.decision == "ADM"
    # weights (1, 3): RCUE1 = (1*6 + 3*12) / 4 = 42/4 = 10.5 instead of (6+12)/2 = 9
    r = year(
        {"A1": 6, "A2": 12, "B1": 12, "B2": 12, "C1": 12, "C2": 12}, Rules(rcue_weights=(1, 3))
    )
    assert rcue_row(r, 1)["average"] == APPROX(10.5)
    with pytest.raises(ValueError):
        Rules(rcue_floor=11)
    assert {d["name"] for d in Rules.describe()} >= {"pass_mark", "rcue_floor", "rcue_weights"}


# ---------------------------------------------------------------- needed grade


def needed(ue_modules: dict[str, float], grades: dict[str, float]) -> dict:
    coefficients, ues = frames({"s": {"UE11": ue_modules}})
    return ue_row(sim.simulate(coefficients, ues, ["s"], grades), "UE11")


def test_needed_grade_to_reach():
    # (2*8 + 2*x) / 4 = 10  ->  x = (40 - 16) / 2 = 12
    row = needed({"M1": 2, "M2": 2}, {"M1": 8})
    assert (row["needed_status"], row["needed"]) == ("to_reach", APPROX(12.0))


def test_needed_grade_already_acquired():
    # (2*15 + 1*x) / 3 >= 10 even with x = 0 (30/3 = 10): déjà acquis
    row = needed({"M1": 2, "M2": 1}, {"M1": 15})
    assert (row["needed_status"], row["needed"]) == ("acquired", None)
    assert sim.Needed("acquired").to_json() == "déjà acquis"


def test_needed_grade_exactly_twenty():
    # (1*0 + 1*x) / 2 = 10  ->  x = 20: still reachable
    row = needed({"M1": 1, "M2": 1}, {"M1": 0})
    assert (row["needed_status"], row["needed"]) == ("to_reach", APPROX(20.0))


def test_needed_grade_impossible():
    # (2*0 + 1*x) / 3 = 10  ->  x = 30 > 20
    row = needed({"M1": 2, "M2": 1}, {"M1": 0})
    assert (row["needed_status"], row["needed"]) == ("impossible", None)
    assert sim.Needed("impossible").to_json() == "impossible (> 20)"


def test_needed_grade_nothing_left_to_grade():
    # every module graded: 8 < 10 cannot change any more; 12 is acquired
    assert needed({"M1": 1}, {"M1": 8})["needed_status"] == "no_module_left"
    assert needed({"M1": 1}, {"M1": 12})["needed_status"] == "acquired"
    # nothing graded at all: x on every module gives average x -> 10
    row = needed({"M1": 1, "M2": 3}, {})
    assert (row["needed_status"], row["needed"]) == ("to_reach", APPROX(10.0))


def test_needed_grade_for_rcue():
    coefficients, ues = frames(
        {"s3": {"UE31": {"A1": 1.0}}, "s4": {"UE41": {"A2": 1.0, "A3": 1.0}}}
    )
    r = sim.simulate(coefficients, ues, ["s3", "s4"], {"A1": 6, "A2": 10})
    # RCUE = (6 + (10 + x)/2) / 2 = 10  ->  (10 + x)/2 = 14  ->  x = 18
    row = rcue_row(r, 1)
    assert (row["needed_status"], row["needed"]) == ("to_reach", APPROX(18.0))
    # the UE alone needs (10 + x)/2 = 10 -> x = 10; JSON rounds needed grades up
    assert ue_row(r, "UE41")["needed"] == APPROX(10.0)
    assert sim.Needed("to_reach", 31 / 3).to_json() == 10.3334


# ---------------------------------------------------------------- coarse mode


def test_coarse_mode_weights_sae_and_ressources_by_share():
    coefficients, ues = frames(
        {"d1": {"UE11": {"x": 3.0, "y": 2.0}, "UE12": {"x": 1.0}}},
        shares={"UE11": 0.4, "UE12": 0.75},
        anonymous=True,
    )
    assert sim.table_mode(coefficients, "d1") == "coarse"
    w, mode = sim.semester_weights(coefficients, ues, "d1")
    assert mode == "coarse"
    codes = sim.known_codes(w)
    assert codes == ["UE11:SAE", "UE11:RES", "UE12:SAE", "UE12:RES"]
    grades = sim.normalise_grades({"SAE": 15, "RES": 5, "UE 12:RES": 9}, codes)
    assert grades == {"UE11:SAE": 15, "UE11:RES": 5, "UE12:SAE": 15, "UE12:RES": 9}
    r = sim.simulate(coefficients, ues, ["d1"], grades)
    # UE11 = 0.4*15 + 0.6*5 = 6 + 3 = 9 ; UE12 = 0.75*15 + 0.25*9 = 11.25 + 2.25 = 13.5
    assert ue_row(r, "UE11")["average"] == APPROX(9.0)
    assert ue_row(r, "UE12")["average"] == APPROX(13.5)
    # only the SAÉ average known: UE11 = 15; needed ressources grade: 0.4*15 + 0.6*x = 10 -> x = 4/0.6
    r = sim.simulate(coefficients, ues, ["d1"], {"UE11:SAE": 15})
    row = ue_row(r, "UE11")
    assert row["average"] == APPROX(15.0) and row["needed"] == APPROX(4 / 0.6)


def test_coarse_mode_unknown_share_gives_no_average():
    coefficients, ues = frames({"d1": {"UE11": {"x": 3.0}}}, anonymous=True)
    r = sim.simulate(coefficients, ues, ["d1"], {})
    row = ue_row(r, "UE11")
    assert row["average"] is None and row["needed_status"] == "no_module"


# ---------------------------------------------------------------- grades and JSON


def test_normalise_grades_errors_and_case():
    codes = ["R1.01", "SAE3.Portfolio"]
    assert sim.normalise_grades({"r1.01": "12.5", "sae3.portfolio": 4}, codes) == {
        "R1.01": 12.5,
        "SAE3.Portfolio": 4.0,
    }
    with pytest.raises(sim.GradeError, match="inconnu.*R9.99"):
        sim.normalise_grades({"R9.99": 10}, codes)
    with pytest.raises(sim.GradeError, match="hors de l'intervalle 0-20"):
        sim.normalise_grades({"R1.01": 20.5}, codes)
    with pytest.raises(sim.GradeError, match="hors de l'intervalle"):
        sim.normalise_grades({"R1.01": float("nan")}, codes)
    with pytest.raises(sim.GradeError, match="illisible"):
        sim.normalise_grades({"R1.01": "douze"}, codes)


def test_json_dict_shape():
    r = year({"A1": 9, "A2": 12, "B1": 14, "B2": 13, "C1": 10, "C2": 10})
    d = r.to_json_dict()
    # "provisional" added by the jury rules (a decision with ungraded modules is provisional)
    assert list(d) == ["semesters", "rcues", "decision", "rule", "provisional"]
    assert d["provisional"] is False  # every module graded
    assert [s["table_id"] for s in d["semesters"]] == ["s3", "s4"]
    assert d["semesters"][0]["ues"][0] == {
        "competence": 1,
        "ue": "UE31",
        "average": 9.0,
        "code": "CMP",
        "needed": "impossible (plus aucun module à noter)",
    }
    assert d["rcues"][0] == {"competence": 1, "average": 10.5}
    assert d["decision"] == "ADM"
    single = sim.simulate(*frames(S1), ["s1"], {}).to_json_dict()
    assert single["rcues"] == [] and single["decision"] is None
    assert single["semesters"][0]["ues"][0]["average"] is None


def test_json_rounding_never_shows_a_pass_that_is_not_one():
    # averages are rounded down: 9.99996 shows 9.9999 (AJ), needed grades up
    assert sim.floor_to(9.99996, 4) == 9.9999 and sim.floor_to(8.8, 4) == 8.8
    assert sim.ceil_to(10.00001, 2) == 10.01 and sim.ceil_to(12.0, 2) == 12.0


def test_year_decision_direct():
    assert sim.year_decision([(1, 10), (2, 10), (3, 10)])[0] == "ADM"
    assert sim.year_decision([(1, 10), (2, 10), (3, 8)])[0] == "PASD"  # 8 is not below 8
    assert sim.year_decision([(1, 10), (2, 10), (3, 7.99)])[0] == "AJ"
    assert sim.year_decision([(1, 10), (2, None)])[0] is None
    assert sim.pasd_minimum(4) == 3 and sim.pasd_minimum(3) == 2 and sim.pasd_minimum(5) == 3


# ---------------------------------------------------------------- properties

MODULES = ["M1", "M2", "M3", "M4", "N1", "N2", "N3", "N4"]
UES = {"s3": ["UE31", "UE32", "UE33"], "s4": ["UE41", "UE42", "UE43"]}


@st.composite
def year_case(draw):
    """A random 3-competence year: M* modules feed the odd UEs, N* the even ones."""
    coef = st.sampled_from([0.0, 0.0, 0.5, 1.0, 1.4, 2.0, 3.0])
    tables = {}
    for tid, prefix in (("s3", "M"), ("s4", "N")):
        tables[tid] = {ue: {m: draw(coef) for m in MODULES if m[0] == prefix} for ue in UES[tid]}
    grade = st.one_of(st.none(), st.floats(0, 20, allow_nan=False).map(lambda x: round(x, 2)))
    grades = {m: g for m in MODULES if (g := draw(grade)) is not None}
    return tables, grades


PROPERTY = settings(max_examples=60, deadline=None)


@st.composite
def any_rules(draw):
    """Any valid setting of the rules (published values included)."""
    mark = draw(st.sampled_from([10.0, 10.0, 11.0, 12.0]))
    return Rules(
        pass_mark=mark,
        rcue_floor=draw(st.sampled_from([8.0, 7.0, mark])),
        rcue_weights=draw(st.sampled_from([(1.0, 1.0), (1.0, 2.0), (0.0, 1.0), (3.0, 1.0)])),
        pasd_min_fraction=draw(st.sampled_from([0.5, 0.0, 0.6, 0.75])),
        tolerance=draw(st.sampled_from(["scodoc", "strict"])),
        bonus=draw(st.sampled_from([0.0, 0.0, 0.5, -0.5, 2.0])),
    )


@PROPERTY
@given(year_case())
def test_property_averages_within_grade_range(case):
    tables, grades = case
    coefficients, ues = frames(tables)
    r = sim.simulate(coefficients, ues, ["s3", "s4"], grades)
    averages = {}
    for ue_map in tables.values():
        for ue, mods in ue_map.items():
            used = [grades[m] for m, c in mods.items() if c > 0 and m in grades]
            avg = ue_row(r, ue)["average"]
            averages[ue] = avg
            if not used:
                assert avg is None
            else:
                assert min(used) - 1e-9 <= avg <= max(used) + 1e-9
    for row in r.rcues.iter_rows(named=True):
        a, b = averages[row["ue_odd"]], averages[row["ue_even"]]
        if a is None or b is None:
            assert row["average"] is None
        else:
            assert min(a, b) - 1e-9 <= row["average"] <= max(a, b) + 1e-9


@PROPERTY
@given(year_case(), st.data(), any_rules())
def test_property_raising_a_grade_never_hurts(case, data, rules):
    tables, grades = case
    if not grades:
        return
    code = data.draw(st.sampled_from(sorted(grades)))
    raised = dict(grades, **{code: data.draw(st.floats(grades[code], 20, allow_nan=False))})
    coefficients, ues = frames(tables)
    before = sim.simulate(coefficients, ues, ["s3", "s4"], grades, rules)
    after = sim.simulate(coefficients, ues, ["s3", "s4"], raised, rules)
    for s0, s1 in zip(before.semesters, after.semesters):
        for r0, r1 in zip(s0.ues.iter_rows(named=True), s1.ues.iter_rows(named=True)):
            assert (r0["average"] is None) == (r1["average"] is None)
            if r0["average"] is not None:
                assert r1["average"] >= r0["average"] - 1e-9
                assert sim.UE_CODE_ORDER[r1["code"]] >= sim.UE_CODE_ORDER[r0["code"]]
    for a0, a1 in zip(before.rcues["average"], after.rcues["average"]):
        assert (a0 is None) == (a1 is None)
        if a0 is not None:
            assert a1 >= a0 - 1e-9
    if before.decision is None:
        assert after.decision is None  # the set of graded modules did not change
    else:
        assert sim.DECISION_ORDER[after.decision] >= sim.DECISION_ORDER[before.decision]
