"""Dashboard queries and their pure derivations, on the fixture store (tests/fixtures.py:
every expected number below is derived there by hand)."""

from __future__ import annotations

import itertools

import duckdb
import polars as pl
import pytest
from fixtures import tiny_store

from butdata import labels, vocab
from butdata.analysis import compare as cmp
from butdata.analysis import queries as q


@pytest.fixture(scope="module")
def fx(tmp_path_factory):
    con = duckdb.connect(
        str(tiny_store(tmp_path_factory.mktemp("fx") / "fx.duckdb")), read_only=True
    )
    yield con
    con.close()


def test_counts_by_reliability(fx):
    n = q.store_counts(fx)
    assert (n["documents"], n["tableaux"], n["formations"]) == (2, 6, 2)
    # 3 QLIO tables with modules; GEA S1 by UE only; GEA S2 partial; GEA S1 X empty
    assert [n[r] for r in vocab.RELIABILITIES] == [3, 1, 1, 1]
    # coefficients: QLIO 3+2 + 3+2 + 2+2 = 14, GEA 2+2 + 2 = 6, of which the 6 GEA lack a module
    assert (n["coefficients"], n["non_attribues"]) == (20, 6)


def test_reliability_rule_is_the_same_on_frames_and_values():
    cases = list(itertools.product(vocab.STATUSES, (0, 3), (0, 2)))
    frame = pl.DataFrame(cases, schema=["status", "n_coefficients", "n_unattributed"], orient="row")
    got = frame.select(q.reliability_expr())["literal"].to_list()
    assert got == [vocab.reliability(s, n, u) for s, n, u in cases]


def test_overview_labels_documents_and_reliability(fx):
    ov = q.overview_tables(fx)
    qmi = ov.filter(pl.col("table_id") == "fix-qlio-s3-qmi").row(0, named=True)
    assert qmi["label"] == "S3 · QMI · MCC fictif 2025-2026" and qmi["attribuable"]
    assert qmi["fiabilite"] == "modules identifiés" and qmi["doc"] == "MCC fictif 2025-2026"
    gea = ov.filter(pl.col("table_id") == "fix-gea-s1").row(0, named=True)
    assert gea["reliability"] == vocab.UE_ONLY and gea["doc"] == "Grille fictive"


def test_document_names():
    assert labels.document_name("000_f0acc9a397de0cbd.txt") == "document 000"
    assert labels.document_name("mcc_gea.xlsx") == "mcc_gea"
    assert labels.document_name("x.txt", "MCC QLIO", "2025-2026") == "MCC QLIO 2025-2026"
    assert labels.document_name("x.txt", "MCC 2025-2026", "2025-2026") == "MCC 2025-2026"
    assert labels.doc_label("x.txt", "Agen", "MCC IUT") == "MCC IUT · Agen"


def test_sources_summary_counts_per_document(fx):
    s = q.sources_summary(fx).sort("source")
    grid = s.filter(pl.col("source") == "fix-grid.txt").row(0, named=True)
    assert (grid["document"], grid["year"]) == ("Grille fictive", None)
    assert (grid["ue_only"], grid["partial"], grid["empty"], grid["modules"]) == (1, 1, 1, 0)


def test_parameters_are_not_interpolated(fx):
    assert q.tables_of(fx, "QLIO' OR 1=1 --", None).height == 0
    assert q.coefficients_of(fx, ["x') OR ('1'='1"]).height == 0


def test_compact_labels():
    assert labels.compact_labels(["S3 · MP · doc", "S3 · OSC · doc"]) == ["MP", "OSC"]
    assert labels.compact_labels(["S3 · MP · doc"]) == ["S3 · MP · doc"]
    assert labels.compact_labels(["S3 · MP · A", "S3 · MP · B"]) == ["A", "B"]


def test_ue_summary_totals_and_sae_share(fx):
    ids = ["fix-qlio-s3-qmi", "fix-gea-s1"]
    t = q.table_rows(fx, ids)
    s = cmp.ue_summary(q.coefficients_of(fx, ids), q.ues_of(fx, ids), t).sort("table_id", "ue")
    rows = {(r["table_id"], r["ue"]): r for r in s.iter_rows(named=True)}
    qmi31 = rows[("fix-qlio-s3-qmi", "UE31")]
    assert (qmi31["somme"], qmi31["total"], qmi31["ects"]) == (8.0, 8.0, 8.0)
    assert qmi31["part_sae"] == pytest.approx(0.5)  # SAE3.01 4 of 8
    gea11 = rows[("fix-gea-s1", "UE 1.1")]
    assert gea11["part_sae"] == 0.4 and gea11["sae_share_printed"] and gea11["n_sans_module"] == 2


def test_compare_modules_statuses(fx):
    ids = ["fix-qlio-s3-qmi", "fix-qlio-s3-mp"]
    t = q.table_rows(fx, ids)
    m = cmp.compare_modules(q.coefficients_of(fx, ids), t)
    row = {(r["ue"], r["module"]): r for r in m.iter_rows(named=True)}
    assert (row[("UE31", "R3.01")]["QMI"], row[("UE31", "R3.01")]["statut"]) == (2.0, cmp.SAME)
    assert row[("UE31", "R3.07")]["statut"] == cmp.CHANGED  # 2 vs 3
    assert (
        row[("UE32", "SAE3.02")]["QMI"] is None and row[("UE32", "SAE3.02")]["statut"] == cmp.PARTLY
    )


def test_compare_modules_of_tables_without_values_keeps_every_column():
    # the crash of Comparer on four empty GEA tables: the empty result lacked « lignes »
    empty = pl.DataFrame(
        schema={
            "table_id": pl.String,
            "competence": pl.Int64,
            "ue": pl.String,
            "module_code": pl.String,
            "module_name": pl.String,
            "kind": pl.String,
            "position": pl.Int64,
            "coefficient": pl.Float64,
            "source_line": pl.Int64,
        }
    )
    tables = pl.DataFrame({"table_id": ["a", "b"], "label": ["A", "B"]})
    m = cmp.compare_modules(empty, tables)
    assert m.height == 0 and {"lignes", "statut", "module", "A", "B"} <= set(m.columns)


def test_year_options_pair_and_flag_empty(fx):
    o = q.year_options(fx, "QLIO")
    years = {r["label"]: r for r in o.filter(pl.col("kind") == "année").iter_rows(named=True)}
    assert years["Année 2 (S3+S4) · QMI · MCC fictif 2025-2026"]["table_ids"] == [
        "fix-qlio-s3-qmi",
        "fix-qlio-s4-qmi",
    ]
    assert o["label"].to_list()[0].startswith("Année 2")  # years first
    gea = q.year_options(fx, "GEA")
    by = dict(zip(gea["label"].to_list(), gea["simulable"].to_list()))
    assert by["S1 · X · Grille fictive"] is False and by["S1 · tronc commun · Grille fictive"]


def test_ue_weights_by_kind_sum_to_ue_total(fx):
    ids = ["fix-qlio-s3-qmi", "fix-gea-s1"]
    t = q.table_rows(fx, ids)
    w = cmp.ue_weights(q.coefficients_of(fx, ids), t, by="kind")
    qmi = w.filter(
        (pl.col("label") == "S3 · QMI · MCC fictif 2025-2026") & (pl.col("competence") == 1)
    )
    assert qmi["coefficient"].sum() == pytest.approx(8.0)
    assert dict(zip(qmi["segment"], qmi["coefficient"])) == {"ressource": 4.0, "SAÉ": 4.0}
    by_module = cmp.ue_weights(q.coefficients_of(fx, ids), t, by="module")
    gea = by_module.filter(pl.col("label").str.contains("Grille"))
    assert set(gea["segment"]) == {"(non attribuable)"}
