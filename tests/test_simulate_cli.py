"""`python -m butdata simulate` on a store built from the real QLIO document (MCC QLIO 2025-2026)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from butdata.cli.main import main
from butdata.store import build_store, open_store

ROOT = Path(__file__).resolve().parents[1]
QLIO = ROOT / "data" / "sources" / "000_f0acc9a397de0cbd.txt"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    """Store from the QLIO document alone (clean layout; the one these expectations are about)."""
    base = tmp_path_factory.mktemp("simulate_cli")
    (base / "sources").mkdir()
    shutil.copy(QLIO, base / "sources" / QLIO.name)
    path = base / "butdata.duckdb"
    build_store(base / "sources", path)
    return path


def modules_of(db: Path, table_id: str) -> list[str]:
    con = open_store(db)
    try:
        return (
            con.sql(
                "SELECT DISTINCT module_code FROM coefficients WHERE table_id = $t ORDER BY 1",
                params={"t": table_id},
            )
            .pl()["module_code"]
            .to_list()
        )
    finally:
        con.close()


def run(db: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main(["simulate", "--db", str(db), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_json_one_table(db, capsys):
    code, out, err = run(
        db, capsys, "000-qlio-s1", "--grade", "R1.01=12", "--grade", "SAE1.01=8", "--json"
    )
    assert code == 0, err
    # Every S1 UE has total coefficient 10. R1.01 has 0.50 in UE11-UE13, SAE1.01 2.00 in UE11 only.
    # UE11 = (0.5*12 + 2*8) / (0.5+2) = 22/2.5 = 8.8 ; needed: (22 + 7.5x)/10 = 10 -> x = 78/7.5 = 10.4
    # UE12 = UE13 = 0.5*12 / 0.5 = 12 ; needed: (6 + 9.5x)/10 = 10 -> x = 94/9.5 = 9.89473.. -> 9.8948 (up)
    assert json.loads(out) == {
        "semesters": [
            {
                "table_id": "000-qlio-s1",
                "ues": [
                    {"competence": 1, "ue": "UE11", "average": 8.8, "code": "AJ", "needed": 10.4},
                    {
                        "competence": 2,
                        "ue": "UE12",
                        "average": 12.0,
                        "code": "ADM",
                        "needed": 9.8948,
                    },
                    {
                        "competence": 3,
                        "ue": "UE13",
                        "average": 12.0,
                        "code": "ADM",
                        "needed": 9.8948,
                    },
                ],
            }
        ],
        "rcues": [],
        "decision": None,
        "rule": "Un seul semestre : pas de décision annuelle (indiquez aussi le tableau du semestre pair).",
        # added by the jury rules: modules without grade make every result provisional
        "provisional": True,
    }


def test_json_year_compensation(db, capsys):
    odd, even = "000-qlio-s3-qmi", "000-qlio-s4-qmi"
    grades = [f"{m}=12" for m in modules_of(db, odd)] + [f"{m}=8" for m in modules_of(db, even)]
    args = [odd, even, "--json"] + [x for g in grades for x in ("--grade", g)]
    code, out, err = run(db, capsys, *args)
    assert code == 0, err
    d = json.loads(out)
    # every S3 UE = 12, every S4 UE = 8 (all modules graded alike); RCUE = (12 + 8)/2 = 10
    assert [u["average"] for s in d["semesters"] for u in s["ues"]] == [12.0] * 4 + [8.0] * 4
    assert [u["code"] for u in d["semesters"][1]["ues"]] == ["CMP"] * 4
    assert [u["needed"] for u in d["semesters"][1]["ues"]] == [
        "impossible (plus aucun module à noter)"
    ] * 4
    assert d["rcues"] == [{"competence": c, "average": 10.0} for c in (1, 2, 3, 4)]
    assert d["decision"] == "ADM" and d["rule"].startswith("ADM")


def test_year_aj_and_text_output(db, capsys):
    odd, even = "000-qlio-s3-qmi", "000-qlio-s4-qmi"
    grades = [f"{m}=12" for m in modules_of(db, odd)] + [f"{m}=5" for m in modules_of(db, even)]
    code, out, err = run(db, capsys, odd, even, *[x for g in grades for x in ("--grade", g)])
    assert code == 0, err
    # RCUE = (12 + 5)/2 = 8.5 for all four: none >= 10 (3 needed), none < 8 -> AJ
    assert "Décision : AJ" in out
    assert "0 RCUE sur 4 ≥ 10, il en faut plus de la moitié (au moins 3)" in out
    assert "UE31 + UE41" in out and "8,50" in out


@pytest.mark.parametrize(
    "args, message",
    [
        (["000-qlio-s1", "--grade", "R9.99=10"], "module(s) inconnu(s) : R9.99"),
        (["000-qlio-s1", "--grade", "R1.01=21"], "hors de l'intervalle 0-20"),
        (["000-qlio-s1", "--grade", "R1.01=-1"], "hors de l'intervalle 0-20"),
        (["000-qlio-s1", "--grade", "R1.01"], "--grade attend CODE=NOTE"),
        (["000-qlio-s9"], "tableau(x) inconnu(s) : 000-qlio-s9"),
        (["000-qlio-s3-qmi", "000-qlio-s4-mp"], "parcours 'QMI' ≠ 'MP'"),
        (
            ["000-qlio-s4-qmi", "000-qlio-s3-qmi"],
            "un semestre impair puis le semestre pair suivant",
        ),
        (["000-qlio-s1", "--grade", "R3.01=10"], "module(s) inconnu(s) : R3.01"),  # S3 module on S1
    ],
)
def test_errors_exit_2(db, capsys, args, message):
    code, out, err = run(db, capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith("erreur : ") and message in err


def test_zero_coefficient_module_and_decimal_comma(db, capsys):
    # SAE1.PF (portfolio) is listed with all coefficients 0: accepted, changes nothing
    code, out, err = run(
        db, capsys, "000-qlio-s1", "--grade", "SAE1.PF=0", "--grade", "r1.01=12,5", "--json"
    )
    assert code == 0, err
    ues = json.loads(out)["semesters"][0]["ues"]
    # only R1.01 counts: every UE = 0.5*12.5 / 0.5 = 12.5
    assert [u["average"] for u in ues] == [12.5, 12.5, 12.5]


def test_module_entry_point_exit_code(db):
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "butdata",
            "simulate",
            "--db",
            str(db),
            "000-qlio-s1",
            "--grade",
            "R1.01=20.5",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 2 and "hors de l'intervalle" in done.stderr
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "butdata",
            "simulate",
            "--db",
            str(db),
            "000-qlio-s1",
            "--grade",
            "R1.01=12",
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (
        done.returncode == 0
        and json.loads(done.stdout)["semesters"][0]["ues"][0]["average"] == 12.0
    )


# ---------------------------------------------------------------- jury rules through the CLI
# Modules of doc 000 that feed a single UE (coefficients of the QLIO S3/S4 QMI and S5/S6 QMI
# alternance tables): an average of such modules alone is their weighted mean.


def grades_args(**grades: float) -> list[str]:
    return [x for code, g in grades.items() for x in ("--grade", f"{code.replace('_', '.')}={g}")]


S3S4 = ("000-qlio-s3-qmi", "000-qlio-s4-qmi")
# UE31 = (1.5 × 10 + 1.5 × 9.992) / 3 = 29.988 / 3 = 9.996 (R3.07, R3.08: UE31 = 1.5 each);
# UE41 = R4.07 = 9.996 → RCUE1 = 9.996; competences 2-4 at 12 (R3.09, R4.08, R3.11, R4.09,
# R3.QMI.13, R4.QMI.10 feed only UE32, UE42, UE33, UE43, UE34, UE44).
BORDERLINE = dict(
    R3_07=10,
    R3_08=9.992,
    R4_07=9.996,
    R3_09=12,
    R4_08=12,
    R3_11=12,
    R4_09=12,
    R3_QMI_13=12,
    R4_QMI_10=12,
)


def test_json_tolerance_scodoc_and_strict(db, capsys):
    code, out, err = run(db, capsys, *S3S4, *grades_args(**BORDERLINE), "--json")
    assert code == 0, err
    d = json.loads(out)
    ue31 = d["semesters"][0]["ues"][0]
    # ScoDoc tolerance (default): 9.996 > 10 − 0.00499999999999 → UE31 ADM, every RCUE → ADM;
    # the other modules are ungraded → provisional
    assert (ue31["ue"], ue31["average"], ue31["code"]) == ("UE31", 9.996, "ADM")
    assert d["decision"] == "ADM" and d["provisional"] is True
    assert "provisoire" in d["rule"] and "Tolérance ScoDoc" in d["rule"]
    code, out, err = run(
        db, capsys, *S3S4, *grades_args(**BORDERLINE), "--tolerance", "strict", "--json"
    )
    d = json.loads(out)
    # strict: UE31 9.996 < 10 → AJ; RCUE1 9.996 < 10; 3 of 4 RCUE ≥ 10, none < 8 → PASD, BUT2
    # with the BUT1 UEs unknown → « sous réserve »
    assert d["semesters"][0]["ues"][0]["code"] == "AJ" and d["decision"] == "PASD"
    assert "sous réserve de la validation de toutes les UE du BUT1" in d["rule"]
    code, out, err = run(
        db,
        capsys,
        *S3S4,
        *grades_args(**BORDERLINE),
        "--tolerance",
        "strict",
        "--but1-validated",
        "no",
        "--json",
    )
    d = json.loads(out)
    assert d["decision"] == "AJ" and "toutes les UE du BUT1" in d["rule"]
    code, out, err = run(
        db,
        capsys,
        *S3S4,
        *grades_args(**BORDERLINE),
        "--tolerance",
        "strict",
        "--but1-validated",
        "yes",
        "--json",
    )
    assert json.loads(out)["decision"] == "PASD" and "réserve" not in json.loads(out)["rule"]


def test_text_shows_averages_consistent_with_codes(db, capsys):
    code, out, err = run(db, capsys, *S3S4, *grades_args(**BORDERLINE), "--tolerance", "strict")
    assert code == 0, err
    line = next(x for x in out.splitlines() if x.strip().startswith("UE31"))
    assert "9,99" in line and "AJ" in line  # never « 10,00 AJ »
    code, out, err = run(db, capsys, *S3S4, *grades_args(**BORDERLINE))
    line = next(x for x in out.splitlines() if x.strip().startswith("UE31"))
    assert "10,00" in line and "ADM" in line  # never « 9,99 ADM »
    assert "Décision : ADM (provisoire)" in out and "mode simplifié" not in out


def test_final_year_never_pasd(db, capsys):
    # S5+S6 QMI (alternance): R5.07 → UE51, R5.09 → UE52, R5.11 → UE53, R5.QMI.13 → UE54,
    # R6.06 → UE61, R6.07 → UE62, R6.08 → UE63, R6.QMI.09 → UE64 (single-UE modules).
    # RCUEs (12+12)/2 = 12, 12, 12 and (9+9)/2 = 9: 3 of 4 ≥ 10, none < 8 — PASD in BUT1/BUT2 —
    # but BUT3 has no next year: AJ.
    grades = grades_args(
        R5_07=12, R5_09=12, R5_11=12, R5_QMI_13=9, R6_06=12, R6_07=12, R6_08=12, R6_QMI_09=9
    )
    code, out, err = run(
        db, capsys, "000-qlio-s5-alt-qmi", "000-qlio-s6-alt-qmi", *grades, "--json"
    )
    assert code == 0, err
    d = json.loads(out)
    assert [r["average"] for r in d["rcues"]] == [12.0, 12.0, 12.0, 9.0]
    assert d["decision"] == "AJ" and "dernière année (BUT3)" in d["rule"]
    assert d["provisional"] is True


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--but1-validated", "peut-être", "yes, no ou unknown (oui, non, inconnu) attendu"),
        ("--tolerance", "large", "scodoc ou strict attendu"),
    ],
)
def test_rule_options_are_checked_in_french(db, capsys, option, value, message):
    with pytest.raises(SystemExit) as exit_:
        main(["simulate", "--db", str(db), *S3S4, option, value])
    assert exit_.value.code == 2 and message in capsys.readouterr().err
