"""Quality report and `check` command, on the store built from the real documents."""

from __future__ import annotations

from pathlib import Path

from butdata.analysis.quality import quality_report
from butdata.cli.main import main
from butdata.model import UE, Coefficient, Document, Table
from butdata.store import open_store, write_store


def doc_row(report, key):
    return next(r for r in report.documents.iter_rows(named=True) if r["source"].startswith(key))


def test_report_figures_for_the_damaged_document(con):
    report = quality_report(con)
    d = doc_row(report, "004")
    # 110 titles (grep -c Semestre) + 4 bodies printed under another title (lines 789, 877,
    # 3595, 6824), see tests/test_grid_layout.py
    assert (d["tables"], d["complete"], d["partial"], d["empty"], d["inferred"]) == (
        114,
        71,
        15,
        28,
        4,
    )
    # 3495 printed values (tests/test_grid_layout.py), one of them a printed "0" that the store
    # does not keep (line 6539: "1 1 1,5 0,5 1 0 3 0,5 0,5 0,5 0,5 10 6 0,40  1")
    assert (d["ues"], d["ues_ok"], d["values"]) == (350, 350, 3494)
    # no row has a value as wide as its module columns: no value is attributed to a module
    assert d["values_with_module"] == 0
    assert (
        d["warnings"]
        == con.sql("SELECT count(*) FROM warnings WHERE source LIKE '004%'").fetchall()[0][0]
        > 0
    )
    assert d["contradictions"] == 0
    assert report.ok


def test_report_for_the_clean_document(con):
    d = doc_row(quality_report(con), "000")
    assert (d["tables"], d["complete"], d["inferred"], d["contradictions"]) == (18, 18, 0, 0)
    assert d["values_with_module"] == d["values"] > 0


def test_check_command_on_the_real_store(store_path, capsys):
    assert main(["check", "--db", str(store_path)]) == 0
    out = capsys.readouterr().out
    assert "114 (71 complets, 15 partiels, 28 vides), dont 4 à identité déduite" in out
    assert "lignes UE : 350, dont 350 à l'arithmétique juste" in out


def _store_with(tmp_path: Path, ue: UE, printed: list[str], status="partial") -> Path:
    table = Table(
        source="x.txt",
        line=1,
        title="t",
        formation="TC",
        formation_name=None,
        site=None,
        semester=1,
        parcours=None,
        alternance=False,
        layout="grid",
        status=status,
        table_id="x-tc-s1",
        ues=[ue],
    )
    table.coefficients = [
        Coefficient(ue.competence, k, float(p.replace(",", ".")), p, 5)
        for k, p in enumerate(printed, 1)
    ]
    path = tmp_path / "x.duckdb"
    write_store([Document("x.txt", "grid", 10, [table])], path, {"x.txt": "0"}, "f", ".")
    return path


def test_sum_contradiction_exits_non_zero(tmp_path, capsys):
    ue = UE(
        "UE 1.1",
        1,
        None,
        5,
        total=5.0,
        ects=6,
        sae_share=0.4,
        sae_share_printed=True,
        aop_total=0.5,
        sum_ok=False,
        ratio_ok=True,
        row_layout="A",
        total_line=5,
    )
    path = _store_with(tmp_path, ue, ["1", "2"])
    con = open_store(path)
    report = quality_report(con)
    con.close()
    assert report.contradictions["kind"].to_list() == ["sum"]
    assert main(["check", "--db", str(path)]) == 1
    assert "contradiction (sum) x.txt:5" in capsys.readouterr().out


def test_ambiguous_ending_is_not_a_contradiction(tmp_path):
    ue = UE(
        "UE 1.1",
        1,
        None,
        5,
        total=5.0,
        ects=6,
        sae_share=0.4,
        sae_share_printed=True,
        aop_total=0,
        sum_ok=False,
        ratio_ok=None,
        row_layout=None,
        total_line=5,
    )
    con = open_store(_store_with(tmp_path, ue, ["1", "2"]))
    assert quality_report(con).ok
    con.close()


def test_stored_values_that_do_not_add_up_are_caught(tmp_path):
    # sum_ok says the row adds up, but the stored values (1 + 2) do not make the total 5
    ue = UE(
        "UE 1.1",
        1,
        None,
        5,
        total=5.0,
        ects=6,
        sae_share=0.4,
        sae_share_printed=True,
        aop_total=0.5,
        sum_ok=True,
        ratio_ok=True,
        row_layout="A",
        total_line=5,
    )
    con = open_store(_store_with(tmp_path, ue, ["1", "2"]))
    assert quality_report(con).contradictions["kind"].to_list() == ["values"]
    con.close()
