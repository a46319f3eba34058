"""Cohorts: structure, hand-computed pass rates, agreement of the vectorised computation with the
plain-Python reference and with the single-student simulator, grade drawing and CSV reading."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_simulate import any_rules, frames, year_case

from butdata.grading import cohort
from butdata.grading import student as sim
from butdata.grading.rules import DEFAULT_RULES

NAN = np.nan

# Competence 1: UE31 = (1*A1 + 3*A2)/4, UE41 = A3 ; competence 2: UE32 = B1, UE42 = B2.
# A9 has coefficient 0 everywhere it appears.
YEAR = {
    "s3": {"UE31": {"A1": 1.0, "A2": 3.0, "A9": 0.0}, "UE32": {"B1": 1.0}},
    "s4": {"UE41": {"A3": 1.0}, "UE42": {"B2": 1.0}},
}


def structure(tables=YEAR, ids=("s3", "s4")):
    coefficients, ues = frames(tables)
    return cohort.build_structure(coefficients, ues, list(ids))


def test_build_structure():
    s = structure()
    assert s.module_codes == ("A1", "A2", "B1", "A3", "B2")  # A9 (coefficient 0) dropped
    assert [u for _, u, _ in s.ues] == ["UE31", "UE32", "UE41", "UE42"]
    assert s.coef[:, 0].tolist() == [1.0, 3.0, 0.0, 0.0, 0.0]
    assert s.rcue_pairs == ((1, 0, 2), (2, 1, 3)) and s.missing == ()


def test_hand_computed_cohort():
    s = structure()
    #            A1   A2   B1   A3   B2
    grades = np.array(
        [
            [
                12,
                8,
                14,
                12,
                12,
            ],  # UE31 = (12 + 24)/4 = 9 ; RCUE1 = (9+12)/2 = 10.5 -> CMP ; RCUE2 = 13 -> ADM
            [4, 4, 12, 8, 12],  # UE31 = 4 ; RCUE1 = (4+8)/2 = 6 < 8 ; RCUE2 = 12 -> AJ
            [
                NAN,
                16,
                9,
                11,
                NAN,
            ],  # UE31 = 3*16/3 = 16 ; UE42 ungraded -> RCUE2 pending -> decision pending
            [10, 10, 8, 9, 11],  # RCUE1 = (10+9)/2 = 9.5, RCUE2 = (8+11)/2 = 9.5: 0 of 2 -> AJ
        ],
        dtype=float,
    )
    res = cohort.simulate_cohort(s, grades)
    a = res.arrays
    np.testing.assert_allclose(a.ue_average[:, 0], [9, 4, 16, 10])
    assert np.isnan(a.ue_average[2, 3])
    np.testing.assert_allclose(a.rcue_average[[0, 1, 3]], [[10.5, 13], [6, 12], [9.5, 9.5]])
    assert a.ue_code[:, 0].tolist() == [1, 0, 2, 2]  # CMP, AJ, ADM, ADM
    assert a.decision.tolist() == [2, 0, -1, 0]  # ADM, AJ, pending, AJ
    ues = {r["ue"]: r for r in res.ues.iter_rows(named=True)}
    # UE31: CMP 1/4, AJ 1/4, ADM 2/4 -> passed 3/4 ; mean (9+4+16+10)/4 = 9.75
    assert (ues["UE31"]["adm"], ues["UE31"]["cmp"], ues["UE31"]["aj"], ues["UE31"]["passed"]) == (
        0.5,
        0.25,
        0.25,
        0.75,
    )
    assert ues["UE31"]["mean"] == pytest.approx(9.75)
    # UE42: pending 1/4 ; mean over the three graded students (12+12+11)/3
    assert ues["UE42"]["pending"] == 0.25 and ues["UE42"]["mean"] == pytest.approx(35 / 3)
    rc = {r["competence"]: r for r in res.rcues.iter_rows(named=True)}
    # RCUE1: 10.5 and (16+11)/2 = 13.5 pass, 6 is below 8, 9.5 neither
    assert rc[1]["passed"] == 0.5 and rc[1]["below_floor"] == 0.25
    assert rc[2]["pending"] == 0.25
    dec = dict(zip(res.decisions["decision"], res.decisions["count"]))
    assert dec == {"ADM": 1, "PASD": 0, "AJ": 2, None: 1}
    assert res.decisions["share"].sum() == pytest.approx(1.0)


def test_vectorised_matches_loop_reference(monkeypatch):
    monkeypatch.setattr(cohort, "BLOCK", 700)  # 3000 students: several blocks and a short last one
    # 3 competences so that PASD can happen (2 of 3 RCUEs >= 10)
    s = structure(
        {
            "s3": dict(YEAR["s3"], UE33={"C1": 2.0, "A1": 0.5}),
            "s4": dict(YEAR["s4"], UE43={"C2": 1.0, "B2": 1.0}),
        }
    )
    grades = cohort.draw_grades(s, 3000, mean=10, spread=4, seed=7, ungraded_rate=0.15)
    fast, slow = cohort.simulate_cohort(s, grades), cohort.simulate_cohort_loop(s, grades)
    # averages are computed in float32 (error < 1e-4 on a 0-20 scale) ...
    np.testing.assert_allclose(
        fast.arrays.ue_average, slow.arrays.ue_average, atol=1e-4, equal_nan=True
    )
    np.testing.assert_allclose(
        fast.arrays.rcue_average, slow.arrays.rcue_average, atol=1e-4, equal_nan=True
    )
    # ... but codes, decisions and pass rates are exact (borderline students recomputed in float64)
    assert (fast.arrays.ue_code == slow.arrays.ue_code).all()
    assert (fast.arrays.decision == slow.arrays.decision).all()
    assert fast.ues.drop("mean").equals(slow.ues.drop("mean")) and fast.decisions.equals(
        slow.decisions
    )
    assert set(fast.arrays.decision.tolist()) >= {0, 1, 2, -1}  # every outcome exercised


@settings(max_examples=60, deadline=None)
@given(year_case(), any_rules(), st.sampled_from([None, True, False]), st.sampled_from([2, 3]))
def test_cohort_agrees_with_single_student_simulator(case, rules, but1, year):
    # Every setting (tolerance, thresholds, weights, PASD fraction, bonus), the BUT1 condition
    # and the final year: the vectorised cohort gives the single-student engine's results.
    tables, grades = case
    coefficients, ues = frames(tables)
    s = cohort.build_structure(coefficients, ues, ["s3", "s4"], year=year)
    row = np.array([[grades.get(m, NAN) for m in s.module_codes]], dtype=float)
    a = cohort.cohort_arrays(s, row, rules, but1)
    r = sim.simulate(
        coefficients,
        ues,
        ["s3", "s4"],
        {m: g for m, g in grades.items() if m in s.module_codes},
        rules,
        inputs=sim.JuryInputs(but1_validated=but1),
        year=year,
    )
    one = pl.concat([x.ues for x in r.semesters])
    for j, (tid, ue, _) in enumerate(s.ues):
        expected = one.filter((pl.col("table_id") == tid) & (pl.col("ue") == ue)).row(0, named=True)
        got = a.ue_average[0, j]
        assert (expected["average"] is None) == bool(np.isnan(got))
        if expected["average"] is not None:
            assert got == pytest.approx(expected["average"])
        code = a.ue_code[0, j]
        assert (None if code == -1 else cohort.UE_CODES[code]) == expected["code"]
    d = a.decision[0]
    assert (None if d == -1 else cohort.DECISIONS[d]) == r.decision
    assert bool(a.provisional[0]) == r.provisional
    if year == 3:
        assert r.decision != "PASD"


SETTINGS = [
    DEFAULT_RULES,
    DEFAULT_RULES.with_changes(tolerance="strict"),
    DEFAULT_RULES.with_changes(rcue_floor=7.0, bonus=0.5),
    DEFAULT_RULES.with_changes(pass_mark=11.0, rcue_weights=(1.0, 2.0), pasd_min_fraction=0.6),
    DEFAULT_RULES.with_changes(bonus=-1.5, tolerance="strict"),
]


@pytest.mark.parametrize("rules", SETTINGS, ids=lambda r: ",".join(r.changed()) or "published")
@pytest.mark.parametrize("year, but1", [(2, None), (2, False), (3, None), (1, True)])
def test_vectorised_matches_engine_loop_under_every_setting(rules, year, but1):
    # 600 drawn students, three competences (so that ADM, PASD, AJ and pending all occur):
    # the vectorised arrays equal the loop that calls the single-student engine per student.
    s = structure(
        {
            "s3": dict(YEAR["s3"], UE33={"C1": 2.0, "A1": 0.5}),
            "s4": dict(YEAR["s4"], UE43={"C2": 1.0, "B2": 1.0}),
        }
    )
    s = cohort.structure_from(replace(s.prepared, year=year))
    grades = cohort.draw_grades(s, 600, mean=10, spread=4, seed=year, ungraded_rate=0.1)
    fast = cohort.simulate_cohort(s, grades, rules, but1)
    slow = cohort.simulate_cohort_loop(s, grades, rules, but1)
    np.testing.assert_allclose(
        fast.arrays.ue_average, slow.arrays.ue_average, atol=1e-4, equal_nan=True
    )
    assert (fast.arrays.ue_code == slow.arrays.ue_code).all()
    assert (fast.arrays.decision == slow.arrays.decision).all()
    assert (fast.arrays.provisional == slow.arrays.provisional).all()
    assert fast.decisions.equals(slow.decisions) and fast.provisional == slow.provisional
    if year == 3 or but1 is False:
        assert not (fast.arrays.decision == 1).any()  # never PASD


def test_missing_competence_leaves_decision_undecided():
    s = structure({"s3": YEAR["s3"], "s4": {"UE41": {"A3": 1.0}}})
    assert s.missing == (2,)
    res = cohort.simulate_cohort(s, np.full((5, len(s.module_codes)), 15.0))
    assert (res.arrays.decision == -1).all()
    assert (
        cohort.simulate_cohort_loop(s, np.full((5, len(s.module_codes)), 15.0)).arrays.decision
        == -1
    ).all()


def test_single_table_has_no_rcue_and_no_decision():
    s = structure({"s3": YEAR["s3"]}, ids=("s3",))
    res = cohort.simulate_cohort(s, np.full((3, len(s.module_codes)), 12.0))
    assert res.rcues.height == 0 and (res.arrays.decision == -1).all()
    assert res.ues["adm"].to_list() == [1.0, 1.0]


def test_coarse_table_in_cohort():
    coefficients, ues = frames({"d1": {"UE11": {"x": 1.0}}}, shares={"UE11": 0.4}, anonymous=True)
    s = cohort.build_structure(coefficients, ues, ["d1"])
    assert s.module_codes == ("UE11:SAE", "UE11:RES") and s.modes == ("coarse",)
    # 0.4*15 + 0.6*5 = 9
    res = cohort.simulate_cohort(s, np.array([[15.0, 5.0]]))
    assert res.arrays.ue_average[0, 0] == pytest.approx(9.0)


def test_draw_grades_seeded_clipped_per_module():
    s = structure()
    g1 = cohort.draw_grades(s, 2000, mean=10, spread=8, seed=3)
    g2 = cohort.draw_grades(s, 2000, mean=10, spread=8, seed=3)
    assert np.array_equal(g1, g2) and g1.shape == (2000, 5)
    assert g1.min() == 0.0 and g1.max() == 20.0  # spread 8 around 10 hits both bounds: clipped
    g = cohort.draw_grades(s, 100, per_module={"A2": (14.0, 0.0)}, seed=1)
    assert (g[:, 1] == 14.0).all()
    g = cohort.draw_grades(s, 4000, seed=1, ungraded_rate=0.25)
    assert 0.22 < np.isnan(g).mean() < 0.28
    with pytest.raises(sim.GradeError):
        cohort.draw_grades(s, 10, per_module={"ZZ": (10, 1)})


def test_read_grades_csv(tmp_path):
    s = structure()
    path = tmp_path / "notes.csv"
    path.write_text('etudiant,A1,A2,B2\ne1,12,"8,5",\ne2,,20,0\n', encoding="utf-8")
    g = cohort.read_grades_csv(path, s, extra_columns=["etudiant"])
    # columns follow s.module_codes (A1, A2, B1, A3, B2); B1 and A3 absent -> ungraded
    np.testing.assert_array_equal(g, [[12, 8.5, NAN, NAN, NAN], [NAN, 20, NAN, NAN, 0]])
    with pytest.raises(sim.GradeError, match="colonne.*etudiant"):
        cohort.read_grades_csv(path, s)
    path.write_text("A1\n21\n", encoding="utf-8")
    with pytest.raises(sim.GradeError, match="hors de l'intervalle.*ligne 2"):
        cohort.read_grades_csv(path, s)
    path.write_text("A1\nabs\n", encoding="utf-8")
    with pytest.raises(sim.GradeError, match="illisible"):
        cohort.read_grades_csv(path, s)


def test_shape_is_checked():
    with pytest.raises(ValueError):
        cohort.simulate_cohort(structure(), np.zeros((3, 2)))


def test_borderline_grades_are_decided_in_float64():
    # 9.9999999 is 1e-7 below the pass mark: float32 rounds it to exactly 10.0 (24-bit mantissa),
    # float64 keeps it below. Every UE average equals the uniform grade, so every UE must be AJ
    # and, with every RCUE at 9.9999999 (>= 8, none >= 10), the decision AJ.
    # (Strict tolerance: ScoDoc's tolerance, now the default, counts 9.9999999 as 10 — see
    # test_borderline_at_the_scodoc_threshold for the same check at 10 - 0.005.)
    s = structure(YEAR)
    strict = DEFAULT_RULES.with_changes(tolerance="strict")
    assert np.float32(9.9999999) == 10.0
    grades = np.full((5, len(s.module_codes)), 9.9999999)
    arrays = cohort.cohort_arrays(s, grades, strict)
    assert (arrays.ue_code == 0).all()
    assert (arrays.decision == 0).all()
    np.testing.assert_allclose(arrays.ue_average, 9.9999999, rtol=0, atol=1e-12)
    # ScoDoc tolerance: 9.9999999 > 10 - 0.00499999999999, every UE and RCUE reached: ADM
    arrays = cohort.cohort_arrays(s, grades)
    assert (arrays.ue_code == 2).all() and (arrays.decision == 2).all()


def test_borderline_at_the_scodoc_threshold():
    # ScoDoc reaches 10 when the average is > 10 - 0.00499999999999 = 9.99500000000001. The
    # float32 neighbours there are 9.9949998856 and 9.9950008392: a grade of 9.9950001 (above the
    # threshold) rounds to the lower one in float32, so the float32 pass alone would say AJ; the
    # float64 recheck must say ADM, as the single-student engine does.
    threshold = 10 - 0.00499999999999
    x = 9.9950001
    assert x > threshold and float(np.float32(x)) < threshold
    s = structure(YEAR)
    grades = np.full((3, len(s.module_codes)), x)
    arrays = cohort.cohort_arrays(s, grades)
    assert (arrays.ue_code == 2).all() and (arrays.decision == 2).all()
    loop = cohort.cohort_arrays_loop(s, grades)
    assert (loop.ue_code == arrays.ue_code).all() and (loop.decision == arrays.decision).all()


def test_negative_grade_scale_and_ungraded_modules():
    # The vectorised path zeroes ungraded grades bit by bit: it must not depend on the sign.
    # Scale -5..20 (a setting): A1 = -2, A2 ungraded -> UE31 = (1 * -2) / 1 = -2 ; UE41 = A3 = 4 ;
    # RCUE1 = (-2 + 4) / 2 = 1 ; UE32 = B1 = -1 ; UE42 (B2) ungraded -> no average, decision pending.
    s = structure()
    rules = DEFAULT_RULES.with_changes(grade_min=-5.0)
    grades = np.array([[-2.0, NAN, -1.0, 4.0, NAN]])  # A1, A2, B1, A3, B2
    a = cohort.cohort_arrays(s, grades, rules)
    np.testing.assert_allclose(a.ue_average[0, :3], [-2.0, -1.0, 4.0])
    assert np.isnan(a.ue_average[0, 3])
    np.testing.assert_allclose(a.rcue_average[0, 0], 1.0)
    assert a.ue_code[0].tolist() == [0, 0, 0, -1] and a.decision.tolist() == [-1]


def test_empty_cohort():
    s = structure()
    res = cohort.simulate_cohort(s, np.empty((0, len(s.module_codes))))
    assert res.n_students == 0 and res.decisions["count"].sum() == 0
    assert res.ues["mean"].null_count() == res.ues.height


def test_draw_grades_per_kind_then_per_module():
    # Kinds come from the printed codes (vocab.module_kind): SAE3.01 is a SAÉ, R3.01 a ressource.
    s = structure({"s3": {"UE31": {"SAE3.01": 1.0, "R3.01": 1.0, "R3.02": 1.0}}}, ids=("s3",))
    assert s.kinds == ("sae", "ressource", "ressource")
    g = cohort.draw_grades(
        s,
        50,
        per_kind={"sae": (15.0, 0.0), "ressource": (6.0, 0.0)},
        per_module={"R3.02": (9.0, 0.0)},
    )
    assert (g[:, 0] == 15).all() and (g[:, 1] == 6).all() and (g[:, 2] == 9).all()
    # UE31 = (15 + 6 + 9) / 3 = 10
    assert cohort.cohort_arrays(s, g).ue_average[0, 0] == pytest.approx(10.0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_zero_grade_counts_and_ungraded_does_not(dtype):
    # A grade of 0 weighs in the denominator, an ungraded module (NaN) does not: the vectorised
    # path turns NaN into 0 for the numerators and derives the denominators from the graded
    # indicator, so both must stay distinct. Hand arithmetic (A1, A2, B1, A3, B2):
    # student 1: UE31 = (1*0)/1 = 0 (A2 ungraded) -> AJ, but RCUE1 = (0 + 20)/2 = 10 -> CMP;
    #   UE41 = 20 -> ADM; UE32 = 0, UE42 = 0 -> RCUE2 = 0 < 8 -> decision AJ; provisional.
    # student 2: only A2 = 0 -> UE31 = (3*0)/3 = 0 -> AJ; the other UEs have no average -> the
    #   decision is pending.
    s = structure()
    grades = np.array([[0, NAN, 0, 20, 0], [NAN, 0, NAN, NAN, NAN]], dtype=dtype)
    a = cohort.cohort_arrays(s, grades)
    np.testing.assert_allclose(a.ue_average, [[0, 0, 20, 0], [0, NAN, NAN, NAN]])
    np.testing.assert_allclose(a.rcue_average, [[10, 0], [NAN, NAN]])
    assert a.ue_code.tolist() == [[1, 0, 2, 0], [0, -1, -1, -1]]
    assert a.decision.tolist() == [0, -1] and a.provisional.tolist() == [True, True]
    loop = cohort.cohort_arrays_loop(s, grades)
    assert (loop.ue_code == a.ue_code).all() and (loop.decision == a.decision).all()
