"""Conformity checks: each rule on a hand-made table with exactly one violation (rule, UE,
module), conforming tables with no finding, reading gaps reported as « non vérifié » and never
as violations, the two seed documents checked against their printed lines, and the CLI."""

from __future__ import annotations

import json

import polars as pl
import pytest
from conftest import MULTI, QLIO, source_line
from mcc_frames import S3_GRID, combine, s3, s4, table

from butdata.analysis import conformity as conf
from butdata.analysis.conformity_rules import RULES, ConformitySettings, rule_set, rules_markdown
from butdata.analysis.years import year_pairs
from butdata.checks import ue_sum_holds
from butdata.cli.main import main


def found(frames, **kw) -> list[tuple[str, str | None, str | None]]:
    return [(f.rule, f.ue, f.module_code) for f in conf.check_frames(frames, **kw)]


def only(frames, **kw) -> conf.Finding:
    findings = conf.check_frames(frames, **kw)
    assert len(findings) == 1, findings
    return findings[0]


# --------------------------------------------------------------------------- conforming


def test_conforming_table_and_year_have_no_finding():
    assert conf.check_frames(s3()) == []
    assert conf.check_frames(combine(s3(), s4())) == []
    assert year_pairs(combine(s3(), s4())["tables"]) == [("t-s3", "t-s4")]


def test_share_band_bounds_are_inclusive():
    # UE31 = R 1,2 + R 0,6 + SAE 1,2 = 3 -> SAÉ 40 %; UE32 = 1,8 + 1,2 + ... = 60 %
    grid = [
        ("R3.01", {"UE31": "1.2", "UE32": "0.4"}),
        ("R3.02", {"UE31": "0.6", "UE32": "0.4"}),
        ("SAE3.01", {"UE31": "1.2", "UE32": "1.2"}),
    ]
    assert conf.check_frames(s3(grid=grid)) == []


# --------------------------------------------------------------------------- one violation each


def test_ue_total_mismatch():
    f = only(s3(totals={"UE31": 7.0}))  # printed 7, values 2 + 1 + 3 = 6
    assert (f.rule, f.ue, f.module_code, f.severity) == ("ue_total_mismatch", "UE31", None, "error")
    assert "7" in f.message and "6" in f.message and "UE31" in f.message
    # within the values' rounding (3 values: ± 0,015) it holds
    assert conf.check_frames(s3(totals={"UE31": 6.01})) == []


def test_semester_ects():
    f = only(s3(ects={"UE31": 15.0, "UE32": 14.0}))
    assert (f.rule, f.ue, f.module_code, f.severity) == ("semester_ects", None, None, "error")
    assert "29" in f.message and "30" in f.message
    settings = ConformitySettings(semester_ects=29.0)
    assert conf.check_frames(s3(ects={"UE31": 15.0, "UE32": 14.0}), settings) == []


def test_ue_without_ects():
    f = only(s3(ects={"UE31": 30.0, "UE32": None}))
    assert (f.rule, f.ue, f.module_code, f.severity) == ("ue_without_ects", "UE32", None, "error")


def test_sae_share_band():
    # UE31 = R 2 + R 1 + SAE 1 = 4: SAÉ 25 %
    grid = [
        ("R3.01", S3_GRID[0][1]),
        ("R3.02", S3_GRID[1][1]),
        ("SAE3.01", {"UE31": "1", "UE32": "3"}),
    ]
    f = only(s3(grid=grid))
    assert (f.rule, f.ue, f.module_code, f.severity) == ("sae_share_band", "UE31", None, "warning")
    assert all(f"{p}\u202f%" in f.message for p in (25, 40, 60))
    assert conf.check_frames(s3(grid=grid), ConformitySettings(sae_band=(0.2, 0.6))) == []


def test_ue_without_sae_is_reported_alone():
    grid = [("R3.01", S3_GRID[0][1]), ("R3.02", S3_GRID[1][1]), ("SAE3.01", {"UE31": "3"})]
    f = only(s3(grid=grid))  # UE32 = R 1 + R 2: no SAÉ (and its 0 % is not also a band finding)
    assert (f.rule, f.ue, f.module_code, f.severity) == ("ue_without_sae", "UE32", None, "warning")


def test_portfolio_and_stage_count_as_sae():
    grid = [
        ("R3.01", {"UE31": "3", "UE32": "3"}),
        ("SAE3.PF", {"UE31": "1"}),
        ("SAE3.ST", {"UE31": "2", "UE32": "3"}),
    ]
    assert conf.check_frames(s3(grid=grid)) == []  # UE31 3/6, UE32 3/6


def test_module_without_coefficient_warning_and_info():
    f = only(s3(grid=[*S3_GRID, ("R3.03", {})]))
    assert (f.rule, f.ue, f.module_code, f.severity) == (
        "module_without_coefficient",
        None,
        "R3.03",
        "warning",
    )
    assert "R3.03" in f.message
    for code in ("SAE3.PF", "HP"):
        f = only(s3(grid=[*S3_GRID, (code, {"UE31": "0", "UE32": "0.00"})]))
        assert (f.rule, f.module_code, f.severity) == ("module_without_coefficient", code, "info")
    f = only(
        s3(grid=[*S3_GRID, ("HP", {})]), settings=ConformitySettings(info_codes=())
    )  # no longer minor
    assert f.severity == "warning"
    # without a module list, a module printed with zeros only is still found
    frames = s3(grid=[*S3_GRID, ("R3.03", {"UE31": "0"})])
    zero = pl.DataFrame(
        [
            {
                "table_id": "t-s3",
                "ue": "UE31",
                "competence": 1,
                "module_code": "R3.03",
                "coefficient": 0.0,
                "position": 4,
                "source_line": 103,
            }
        ]
    )
    frames["coefficients"] = pl.concat([frames["coefficients"], zero], how="diagonal_relaxed")
    frames["modules"] = frames["modules"].clear()
    f = only(frames)
    assert (f.rule, f.module_code, f.line) == ("module_without_coefficient", "R3.03", 103)


def test_coefficient_precision_from_printed_text_else_value():
    grid = [("R3.01", {"UE31": "2.125", "UE32": "1"}), *S3_GRID[1:]]
    f = only(s3(grid=grid))  # UE31 = 6,125, SAÉ 3/6,125 = 49 %
    assert (f.rule, f.ue, f.module_code, f.severity) == (
        "coefficient_precision",
        "UE31",
        "R3.01",
        "warning",
    )
    assert "« 2.125 »" in f.message and "3 décimales" in f.message
    # « 2.000 » and « 1.50 » print trailing zeros: no decimal and one, conforming
    ok = s3(grid=[("R3.01", {"UE31": "2.000", "UE32": "1.50"}), *S3_GRID[1:]])
    assert conf.check_frames(ok) == []  # UE32 = 1,5 + 2 + 3 = 6,5, SAÉ 46 %
    # no printed text: the value (float noise ignored: 0.1 + 0.2 is 0.3, one decimal)
    noisy = s3(values={("R3.01", "UE31"): 0.1 + 0.2 + 1.7})
    assert conf.check_frames(noisy) == []
    three = s3(values={("R3.01", "UE31"): 2.005}, totals={"UE31": 6.005})
    f = only(three)
    assert (f.rule, f.ue, f.module_code) == ("coefficient_precision", "UE31", "R3.01")


def test_duplicate_module_code():
    # R3.02 printed twice: UE31 = 2 + 1 + 0,5 + 3 = 6,5 (SAÉ 46 %), UE32 unchanged
    f = only(s3(grid=[*S3_GRID, ("R3.02", {"UE31": "0.5"})]))
    assert (f.rule, f.ue, f.module_code, f.severity) == (
        "duplicate_module_code",
        None,
        "R3.02",
        "error",
    )
    assert "2 fois" in f.message and "101" in f.message and "103" in f.message


def test_duplicate_code_without_module_list():
    frames = s3(grid=[*S3_GRID, ("R3.02", {"UE31": "0.5"})])
    frames["modules"] = frames["modules"].clear()
    assert found(frames) == [("duplicate_module_code", None, "R3.02")]


def test_rcue_pair_missing():
    # S4 has only competence 1: UE32 (competence 2) has no even UE
    lone = s4(grid=[("R4.01", {"UE41": "2"}), ("SAE4.01", {"UE41": "2"})], ects={"UE41": 30.0})
    f = only(combine(s3(), lone))
    assert (f.table_id, f.rule, f.ue, f.module_code, f.severity) == (
        "t-s3",
        "rcue_pair_missing",
        "UE32",
        None,
        "error",
    )
    assert "t-s4" in f.message
    # the other way round: the finding is on the even table
    extra = s4(
        grid=[
            ("R4.01", {"UE41": "1", "UE42": "1", "UE43": "1"}),
            ("SAE4.01", {"UE41": "1", "UE42": "1", "UE43": "1"}),
        ],
        ects={"UE41": 10.0, "UE42": 10.0, "UE43": 10.0},
    )
    assert found(combine(s3(), extra)) == [("rcue_pair_missing", "UE43", None)]
    # a single table is not a year: nothing to pair
    assert conf.check_frames(lone) == []


def test_years_given_explicitly():
    other = table(
        "x-s4",
        4,
        [("R4.01", {"UE41": "1"}), ("SAE4.01", {"UE41": "1"})],
        {"UE41": 30.0},
        source="other.txt",
    )
    frames = combine(s3(), other)
    assert conf.check_frames(frames) == []  # different documents: not a year
    assert found(frames, years=[("t-s3", "x-s4")]) == [("rcue_pair_missing", "UE32", None)]
    with pytest.raises(conf.ButdataError, match="inconnu"):
        conf.check_frames(frames, years=[("t-s3", "nope")])


# --------------------------------------------------------------------------- reading gaps


def test_empty_table_gets_one_information():
    frames = table("t-s3", 3, [], {}, status="empty")
    f = only(frames)
    assert (f.rule, f.severity) == ("not_checked", "info")
    assert "vide" in f.message


def test_partial_table_reports_no_reading_gap_as_violation():
    # UE32's ECTS and total are missing and its sum is not checked (sum_ok None): a partial read
    frames = s3(
        status="partial",
        ects={"UE31": 15.0, "UE32": None},
        totals={"UE32": None},
        grid=[("R3.01", {"UE31": "2.125", "UE32": "1"}), *S3_GRID[1:], ("R3.03", {})],
    )
    findings = conf.check_frames(frames)
    violations = [(f.rule, f.ue, f.module_code) for f in findings if f.rule != "not_checked"]
    assert violations == [("coefficient_precision", "UE31", "R3.01")]  # what was read is checked
    gaps = [f for f in findings if f.rule == "not_checked"]
    assert all(f.severity == "info" for f in gaps) and len(gaps) == 2
    text = " ".join(f.message for f in gaps)
    assert "lu en partie" in text and "UE32" in text
    assert "ECTS du semestre" in text and "module sans coefficient" in text


def test_partial_table_still_checks_its_fully_read_ues():
    grid = [
        ("R3.01", S3_GRID[0][1]),
        ("R3.02", S3_GRID[1][1]),
        ("SAE3.01", {"UE31": "1", "UE32": "3"}),
    ]
    findings = found(s3(grid=grid, status="partial"))
    assert ("sae_share_band", "UE31", None) in findings
    assert [r for r in findings if r[0] != "not_checked"] == [("sae_share_band", "UE31", None)]


def test_partial_partner_leaves_rcue_unchecked():
    lone = s4(
        grid=[("R4.01", {"UE41": "2"}), ("SAE4.01", {"UE41": "2"})],
        ects={"UE41": 30.0},
        status="partial",
    )
    findings = conf.check_frames(combine(s3(), lone))
    assert [f.rule for f in findings if f.table_id == "t-s3"] == ["not_checked"]
    assert "t-s4" in findings[0].message and "paires d'UE des RCUE" in findings[0].message
    assert all(f.rule == "not_checked" for f in findings)


def test_unattributed_values_check_only_what_they_can():
    # damaged grid: no module codes or names; the leading SAÉ value is known (kind), others not;
    # the document prints the ratio 0,5 for both UEs
    frames = s3(unattributed=True, kinds={"#3": "sae"}, printed_shares={"UE31": 0.5, "UE32": 0.5})
    f = only(frames)
    assert (f.rule, f.severity) == ("not_checked", "info")
    assert "module sans coefficient" in f.message and "rattachées" in f.message
    # a printed ratio out of the band is still an MCC finding (the document says so)
    low = s3(unattributed=True, printed_shares={"UE31": 0.3, "UE32": 0.5})
    assert [r for r in found(low) if r[0] != "not_checked"] == [("sae_share_band", "UE31", None)]
    # no kinds and no printed ratio: the share is not checked, and said so
    blind = conf.check_frames(s3(unattributed=True))
    assert [f.rule for f in blind] == ["not_checked", "not_checked"]
    share_gap = next(f.message for f in blind if "part des SAÉ inconnue" in f.message)
    assert share_gap.startswith("Non vérifié : part des SAÉ, UE sans SAÉ.")
    # a value known to be an SAÉ (the leading run of the grid) settles « UE sans SAÉ »
    known = conf.check_frames(s3(unattributed=True, kinds={"#3": "sae"}))
    share_gap = next(f.message for f in known if "part des SAÉ inconnue" in f.message)
    assert share_gap.startswith("Non vérifié : part des SAÉ. Raison")


def test_grid_layout_c_total_holds_the_aop_cell():
    # Génie biologique: values 2 + 1 + 3 = 6, AOP 2 not printed among them, total 8
    frames = s3(row_layout={"UE31": "C"}, aop={"UE31": 2.0}, totals={"UE31": 8.0})
    # SAÉ share UE31 = 3 / 8 = 37,5 %: the only finding
    assert found(frames) == [("sae_share_band", "UE31", None)]
    assert ue_sum_holds(6.0, 3, 8.0, 2.0, "C") and not ue_sum_holds(6.0, 3, 8.0, 2.0, None)


def test_minimal_frames_without_optional_columns():
    frames = s3(ects={"UE31": 15.0, "UE32": 14.0})
    slim = {
        "tables": frames["tables"].select("table_id", "semester"),
        "ues": frames["ues"].select("table_id", "ue", "competence", "ects", "total"),
        "coefficients": frames["coefficients"].select(
            "table_id", "competence", "module_code", "coefficient"
        ),
        "modules": frames["modules"].select("table_id", "module_code"),
    }
    assert found(slim) == [("semester_ects", None, None)]


# --------------------------------------------------------------------------- rule set


def test_rule_set_lists_every_rule_with_source_and_settings():
    rows = rule_set()
    codes = [r["code"] for r in rows]
    assert codes == [r.code for r in RULES]
    assert {
        "ue_total_mismatch",
        "semester_ects",
        "ue_without_ects",
        "sae_share_band",
        "ue_without_sae",
        "module_without_coefficient",
        "coefficient_precision",
        "duplicate_module_code",
        "rcue_pair_missing",
    } <= set(codes)
    band = next(r for r in rows if r["code"] == "sae_share_band")
    assert band["local"] and band["settings"] == {"sae_band": (0.4, 0.6)}
    assert all(
        r["source"] and r["label"] and r["severity"] in ("error", "warning", "info") for r in rows
    )
    assert "| `sae_share_band` |" in rules_markdown()
    with pytest.raises(ValueError):
        ConformitySettings(sae_band=(0.7, 0.6))


def test_findings_frame():
    frame = conf.findings_frame(conf.check_frames(s3(ects={"UE31": 15.0, "UE32": None})))
    assert frame.columns[:6] == list(conf.JSON_KEYS)
    assert frame.row(0, named=True)["line"] == 11  # the UE32 line of the hand-made table
    assert conf.findings_frame([]).height == 0


# --------------------------------------------------------------------------- seed documents


@pytest.fixture(scope="module")
def seed_findings(store_path):
    from butdata.analysis import queries
    from butdata.store import open_store

    con = open_store(store_path)
    try:
        ids = queries.overview_tables(con)["table_id"].to_list()
        frames = queries.table_frames(con, ids)
    finally:
        con.close()
    return conf.check_frames(frames), frames


def test_qlio_document_findings(seed_findings):
    findings, _ = seed_findings
    doc0 = [f for f in findings if f.table_id.startswith("000-")]
    # all 18 tables conform, except that each lists one module without any coefficient, its
    # portfolio or its « heures projet », printed with zeros only: information, not a warning
    assert len(doc0) == 18 and {f.rule for f in doc0} == {"module_without_coefficient"}
    assert {f.severity for f in doc0} == {"info"}
    assert {f.module_code for f in doc0} == {
        "SAE1.PF",
        "HP",
        "SAE3.Portfolio",
        "SAE3.PF",
        "SAE5.PF",
    }
    for f in doc0:
        text = source_line(QLIO, f.line)
        code, *rest = text.split()
        assert code == f.module_code and {v for v in rest if v[0].isdigit()} <= {"0", "0.00"}
    s3qmi = next(f for f in doc0 if f.table_id == "000-qlio-s3-qmi")
    assert s3qmi.line == 404 and source_line(QLIO, 404).startswith("SAE3.PF Portfolio S3 0 0.00")
    # UE31 of S3 QMI: SAÉ 1,8 + 1,5 = 3,3 of 8 = 41,25 % (lines 402, 413, 415): in the band
    assert source_line(QLIO, 415) == "Total des coefficients 30 8 8 8 6"
    assert source_line(QLIO, 417) == "Crédits ECTS 30 8 8 8 6"


def test_multisite_document_findings(seed_findings):
    findings, frames = seed_findings
    doc4 = [f for f in findings if f.table_id.startswith("004-")]
    violations = [f for f in doc4 if f.rule != "not_checked"]
    by_rule = {}
    for f in violations:
        by_rule.setdefault(f.rule, []).append(f)
    assert set(by_rule) == {"sae_share_band", "semester_ects", "rcue_pair_missing"}
    # SGM S4 prints ECTS 6, 7, 8, 9, 10 and a semester total of 40 (final line 4676)
    (ects,) = by_rule["semester_ects"]
    assert ects.table_id.startswith("004-sgm-s4") and "font 40" in ects.message
    assert source_line(MULTI, 4676).split() == ["300", "40", "30"]
    assert "60 6 0,42" in source_line(MULTI, 4640)  # UE 4.1: total 60, ECTS 6, ratio 0,42
    # TC Pass'BUT Bordeaux: S3 has UE 3.1-3.3, S4 adds a UE 4.4 (its row: « 1 1 1 1,5 4 8,5
    # 8,5 0,53 ») whose competence has no S3 UE; both semesters print 30 ECTS
    (pair,) = by_rule["rcue_pair_missing"]
    assert (pair.table_id, pair.ue) == ("004-tc-bordeaux-s4-pass-but", "UE 4.4")
    assert "8,5 8,5 0,53" in source_line(MULTI, 6396)
    s3_ues = frames["ues"].filter(pl.col("table_id") == "004-tc-bordeaux-s3-pass-but")["ue"]
    assert sorted(s3_ues.to_list()) == ["UE 3.1", "UE 3.2", "UE 3.3"]
    # each band finding is a printed « rapport SAE/UE » outside 40-60 %, read on its row
    # (e.g. line 16: values 1,5 0,5 1 1,5 1,25, total 5,75, ECTS 6, ratio 0,35 = 2 / 5,75)
    expected = [
        ("004-cs-s1", "UE 1.1", 16, "0,35"),
        ("004-cs-s1", "UE 1.2", 29, "0,26"),
        ("004-cs-s1", "UE 1.3", 42, "0,26"),
        ("004-cs-s1", "UE 1.4", 55, "0,22"),
        ("004-cs-s1", "UE 1.5", 68, "0,32"),
        ("004-cs-s3", "UE 3.3", 184, "0,35"),
        ("004-cs-s3", "UE 3.4", 197, "0,32"),
        ("004-cs-s3", "UE 3.5", 210, "0,30"),
        ("004-cs-s4", "UE 4.4", 266, "0,63"),
        ("004-gb-s4", "UE 4.2", 730, "0,38"),
        ("004-gb-s4", "UE 4.3", 740, "0,38"),
        ("004-gb-s4", "UE 4.4", 751, "0,39"),
        ("004-gb-s4", "UE 4.5", 761, "0,38"),
    ]
    got = [(f.table_id[:9], f.ue, f.line) for f in by_rule["sae_share_band"]]
    assert got == [e[:3] for e in expected]
    for (_, _, line, ratio), f in zip(expected, by_rule["sae_share_band"]):
        assert f" {ratio}" in source_line(MULTI, line) and f"imprimé {ratio}" in f.message
    # reading gaps are never violations: empty and partial tables carry information only
    statuses = dict(zip(frames["tables"]["table_id"], frames["tables"]["status"]))
    assert all(statuses[f.table_id] != "empty" for f in violations)
    empty = [t for t, s in statuses.items() if s == "empty"]
    assert all([f.rule for f in findings if f.table_id == t] == ["not_checked"] for t in empty)


# --------------------------------------------------------------------------- CLI


def test_cli_json_shape(store_path, capsys):
    code = main(["conformity", "--db", str(store_path), "--json", "--table", "000-qlio-s3-qmi"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out == [
        {
            "table_id": "000-qlio-s3-qmi",
            "rule": "module_without_coefficient",
            "ue": None,
            "module_code": "SAE3.PF",
            "severity": "info",
            "message": out[0]["message"],
        }
    ]
    assert "SAE3.PF" in out[0]["message"]


def test_cli_text_grouped_by_table(store_path, capsys):
    code = main(["conformity", "--db", str(store_path), "--table", "004-tc-bordeaux-s3-pass-but"])
    out = capsys.readouterr().out
    assert code == 0
    # the S4 partner's RCUE finding is shown with the S3 table asked for
    assert "004-tc-bordeaux-s3-pass-but — TC · S3" in out
    assert "004-tc-bordeaux-s4-pass-but" in out and "pas de RCUE possible" in out
    assert "1 erreur(s)" in out


def test_cli_errors_are_french_and_exit_2(store_path, tmp_path, capsys):
    assert main(["conformity", "--db", str(store_path), "--table", "nope"]) == 2
    err = capsys.readouterr().err
    assert "tableau(x) inconnu(s) : nope" in err and "Traceback" not in err
    assert main(["conformity", "--db", str(tmp_path / "absent.duckdb")]) == 2
    assert "base introuvable" in capsys.readouterr().err


def test_year_pairs_rules():
    def row(tid, sem, parcours=None, source="d.txt", alternance=False):
        return {
            "table_id": tid,
            "semester": sem,
            "parcours": parcours,
            "source": source,
            "site": None,
            "alternance": alternance,
            "formation": "QLIO",
        }

    tables = pl.DataFrame(
        [
            row("s1", 1),
            row("s2", 2),
            row("s3", 3),  # tronc commun S3: its S4s all have a parcours -> no year
            row("s3-a", 3, "A"),
            row("s3-b", 3, "B"),  # no S4 B: pairs with a tronc commun S4 if there is one
            row("s4-a", 4, "A"),
            row("s4-a-alt", 4, "A", alternance=True),  # another offer
            row("s4-x", 4, "A", source="other.txt"),  # another document
        ]
    )
    assert year_pairs(tables) == [("s1", "s2"), ("s3-a", "s4-a")]
    with_tc = pl.concat([tables, pl.DataFrame([row("s4", 4)])], how="diagonal_relaxed")
    assert year_pairs(with_tc) == [("s1", "s2"), ("s3", "s4"), ("s3-a", "s4-a"), ("s3-b", "s4")]


def test_readme_lists_the_rule_set():
    from conftest import ROOT

    assert rules_markdown() in (ROOT / "README.md").read_text(encoding="utf-8")
