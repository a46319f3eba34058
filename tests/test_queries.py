"""Dashboard queries on the store built from both real documents (tests/conftest.py)."""

from __future__ import annotations

import polars as pl
import pytest
from conftest import QLIO, source_line

from butdata import labels
from butdata.analysis import compare as cmp
from butdata.analysis import queries as q


def test_counts_add_up(con):
    n = q.store_counts(con)
    assert n["documents"] == 2
    assert n["complets"] + n["partiels"] + n["vides"] == n["tableaux"]
    assert 0 < n["non_attribues"] < n["coefficients"]


def test_overview_labels_status_and_attribution(con):
    ov = q.overview_tables(con)
    assert set(ov["statut"].unique()) <= {"complet", "partiel", "vide"}
    s1 = ov.filter(pl.col("table_id") == "000-qlio-s1").row(0, named=True)
    assert s1["label"] == "S1 · tronc commun · doc 000" and s1["attribuable"]
    assert s1["source_line"] == 8  # " Semestre 1 BUT QLIO"
    assert "Semestre 1 BUT QLIO" in source_line(QLIO, 8)
    grid = ov.filter(pl.col("source").str.starts_with("004") & (pl.col("n_coefficients") > 0))
    assert grid.height > 0 and not grid["attribuable"].any()


def test_tables_of_spans_both_documents(con):
    t = q.tables_of(con, "QLIO", 3)
    assert set(t["doc"]) == {"doc 000", "doc 004"}
    assert "S3 · QMI (alternance) · doc 000" in t["label"].to_list()


def test_parameters_are_not_interpolated(con):
    assert q.tables_of(con, "QLIO' OR 1=1 --", None).height == 0
    assert q.coefficients_of(con, ["x') OR ('1'='1"]).height == 0


def test_compact_labels():
    assert labels.compact_labels(["S3 · MP · doc 000", "S3 · OSC · doc 000"]) == ["MP", "OSC"]
    assert labels.compact_labels(["S3 · MP · doc 000"]) == ["S3 · MP · doc 000"]
    assert labels.compact_labels(["S3 · MP · doc 000", "S3 · MP · doc 004"]) == [
        "doc 000",
        "doc 004",
    ]


def test_ue_summary_matches_printed_totals(con):
    ids = ["000-qlio-s1"]
    t = q.table_rows(con, ids)
    s = cmp.ue_summary(q.coefficients_of(con, ids), q.ues_of(con, ids), t)
    # line 71: "Total des coefficients 30 10 10 10"
    assert source_line(QLIO, 71) == "Total des coefficients 30 10 10 10"
    assert s["somme"].to_list() == pytest.approx([10.0, 10.0, 10.0])
    assert s["ects"].to_list() == [10.0, 10.0, 10.0]
    ue11 = s.filter(pl.col("ue") == "UE11").row(0, named=True)
    # SAÉ of UE11: SAE1.01 2.00 (line 57) + SAE1.02 2.00 (line 59) = 4 of 10
    assert source_line(QLIO, 57).startswith("SAE1.01") and " 2.00 " in source_line(QLIO, 57)
    assert ue11["part_sae"] == pytest.approx(0.4)


def test_compare_modules_statuses(con):
    ids = ["000-qlio-s3-mp", "000-qlio-s3-osc"]
    t = q.table_rows(con, ids)
    m = cmp.compare_modules(q.coefficients_of(con, ids), t)
    assert t["label"].to_list() == ["MP", "OSC"]
    # "R3.01 Anglais des affaires 1 0.25 0.25 0.25 0.25" in both tables (lines 446 and 306)
    assert (
        source_line(QLIO, 446)
        == source_line(QLIO, 306)
        == "R3.01 Anglais des affaires 1 0.25 0.25 0.25 0.25"
    )
    r301 = m.filter((pl.col("module_code") == "R3.01") & (pl.col("competence") == 1)).row(
        0, named=True
    )
    assert (r301["MP"], r301["OSC"], r301["statut"]) == (0.25, 0.25, cmp.SAME)
    # line 341: "SAE3.OSC.02 ... 1.4 0.00 0.00 0.00 1.40" only in OSC
    osc = m.filter(pl.col("module_code") == "SAE3.OSC.02").row(0, named=True)
    assert osc["OSC"] == 1.4 and osc["MP"] is None and osc["statut"] == cmp.PARTLY


def test_year_options_pair_odd_and_even(con):
    o = q.year_options(con, "QLIO")
    years = {
        r["label"]: r["table_ids"]
        for r in o.filter(pl.col("kind") == "année").iter_rows(named=True)
    }
    assert years["Année 1 (S1+S2) · tronc commun · doc 000"] == ["000-qlio-s1", "000-qlio-s2"]
    assert years["Année 2 (S3+S4) · QMI (alternance) · doc 000"] == [
        "000-qlio-s3-alt-qmi",
        "000-qlio-s4-alt-qmi",
    ]
    assert any("doc 004" in label for label in years)


def test_ue_weights_by_kind_sum_to_ue_total(con):
    ids = ["000-qlio-s1", "004-qlio-s1"]
    t = q.table_rows(con, ids)
    w = cmp.ue_weights(q.coefficients_of(con, ids), t, by="kind")
    doc0 = w.filter((pl.col("label") == "doc 000") & (pl.col("competence") == 1))
    assert doc0["coefficient"].sum() == pytest.approx(10.0)
    assert {"SAÉ", "ressource"} <= set(doc0["segment"])
    by_module = cmp.ue_weights(q.coefficients_of(con, ids), t, by="module")
    assert (
        "(non attribuable)" in by_module.filter(pl.col("label") == "doc 004")["segment"].to_list()
    )


def test_warnings_list_filters_by_source(con):
    w = q.warnings_list(con, "000_f0acc9a397de0cbd.txt")
    assert w.height > 0 and set(w["source"]) == {"000_f0acc9a397de0cbd.txt"}
