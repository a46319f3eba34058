"""The Données page under AppTest: browse a table, URL-bound choices, upload -> errors or
preview -> confirm -> rebuilt store. AppTest drives st.file_uploader (``set_value``)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import QLIO
from streamlit.testing.v1 import AppTest

from butdata.readers import meta_path
from butdata.store import build_store, open_store

APP = Path(__file__).parents[1] / "app.py"
PAGE = "pages/4_Donnees.py"
GOOD = (
    "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
    "QLIO,1,Essai,UE11,R1.01,Anglais,2\n"
    "QLIO,1,Essai,UE12,SAE1.01,Projet,3\n"
)
BAD = (
    "formation,semestre,UE,Coefficient\n"
    "QLIO,1,UE11,2\n"
    "QLIO,1,UE12,deux\n"
    "QLIO,1,UE17,1\n"
    "QLIO,1,UE13,-1\n"
)


@pytest.fixture(autouse=True)
def _fresh():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture()
def site(tmp_path, monkeypatch) -> tuple[Path, Path]:
    """A writable store built from a copy of the QLIO document (imports rebuild it)."""
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    shutil.copy(meta_path(QLIO), sources)  # its name on screen: « MCC QLIO 2025-2026 »
    db = tmp_path / "store.duckdb"
    build_store(sources, db)
    monkeypatch.setenv("BUTDATA_DB", str(db))
    return sources, db


def open_page(**params) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    for k, v in params.items():
        at.query_params[k] = v
    return at.switch_page(PAGE).run()


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    """Drop a file, then ask for it to be read: nothing is parsed before « Vérifier »."""
    at.file_uploader(key="import_file").set_value((name, content, "text/csv")).run()
    assert not at.exception, at.exception
    assert not [
        d for d in at.dataframe if "erreur" in d.value.columns or "action" in d.value.columns
    ]
    assert not [b for b in at.button if b.key == "import_confirm"]
    return at.button(key="import_check").click().run()


def ok(at: AppTest) -> None:
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]


def test_browse_a_table_in_the_module_by_ue_layout(site):
    at = open_page(formation="QLIO", semestre="S2")
    ok(at)
    assert at.selectbox(key="tableau").value == "000-qlio-s2"
    wide = at.dataframe[0].value
    assert list(wide.columns)[:7] == [
        "Code",
        "Module",
        "Type",
        "Coeff. semestre",
        "UE21",
        "UE22",
        "UE23",
    ]
    sae = wide[wide["Code"] == "SAE2.01"].iloc[0]
    # shown in French: « 5,1 », « 1,7 » (printed 5.1 and 1.70 on the module line)
    assert (sae["Coeff. semestre"], sae["UE21"], sae["UE22"], sae["UE23"]) == (
        "5,1",
        "1,7",
        "1,7",
        "1,7",
    )
    assert list(wide["Code"])[-3:] == ["Total des coefficients", "Crédits ECTS", "Part des SAÉ"]
    share = wide[wide["Code"] == "Part des SAÉ"].iloc[0]
    assert all(share[ue].endswith("\u202f%") for ue in ("UE21", "UE22", "UE23"))  # « 41,25 % »
    assert "None" not in wide.to_string()
    assert any("Semestre 2 BUT QLIO" in m.value for m in at.markdown)
    # this table, this formation, the whole store (2 each), and « Imprimer / PDF »
    assert len(at.get("download_button")) == 7


def test_a_link_opens_the_same_table(site):
    # Bound selectors carry their French label in the URL, as on the other pages.
    at = open_page(formation="QLIO", semestre="S3", tableau="QMI (alternance) · MCC QLIO 2025-2026")
    ok(at)
    assert at.selectbox(key="tableau").value == "000-qlio-s3-alt-qmi"
    assert any("Semestre 3 BUT QLIO par alternance QMI" in m.value for m in at.markdown)


def test_upload_with_errors_lists_them_by_row_and_changes_nothing(site):
    sources, db = site
    digest = hashlib.sha256(db.read_bytes()).hexdigest()
    at = upload(open_page(), "brouillon.csv", BAD.encode())
    assert not at.exception, at.exception
    assert any("4 erreur(s)" in e.value for e in at.error)
    errors = next(d.value for d in at.dataframe if "erreur" in d.value.columns)
    assert list(errors["ligne"]) == [1, 3, 4, 5]
    assert list(errors["erreur"])[1:] == [
        "« deux » n'est pas un nombre",
        "UE inconnue « UE17 » pour QLIO S1 (UE de la base : UE11, UE12, UE13)",
        "coefficient négatif (-1)",
    ]
    assert not [b for b in at.button if b.key == "import_confirm"]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in sources.iterdir()) == sorted([QLIO.name, meta_path(QLIO).name])


def test_upload_preview_confirm_rebuilds_the_store(site):
    sources, db = site
    at = upload(open_page(), "mcc essai.csv", GOOD.encode())
    ok(at)
    preview = next(d.value for d in at.dataframe if "action" in d.value.columns)
    assert list(preview["action"]) == ["ajouté"] and list(preview["coefficients"]) == [2]
    assert any("1 ajouté(s)" in m.value for m in at.markdown)
    at.button(key="import_confirm").click().run()
    ok(at)
    assert any("Import terminé" in s.value for s in at.success)
    assert (sources / "mcc_essai.csv").exists()
    # The page now reads the rebuilt store (its cached connection to the old file is dropped).
    at = open_page(formation="QLIO", semestre="S1", tableau="Essai · mcc_essai")
    ok(at)
    assert at.selectbox(key="tableau").value == "mcc_essai.csv:qlio-s1-essai"
    assert list(at.dataframe[0].value["Code"])[:2] == ["R1.01", "SAE1.01"]
    con = open_store(db)
    try:
        assert con.execute("SELECT count(*) FROM tables").fetchall() == [(19,)]
        assert con.execute(
            "SELECT source FROM tables WHERE table_id = 'mcc_essai.csv:qlio-s1-essai'"
        ).fetchall() == [("mcc_essai.csv",)]
    finally:
        con.close()


def test_an_upload_is_read_once_on_request_not_on_every_rerun(site, monkeypatch):
    """Parsing waits for « Vérifier le fichier », then the preview is cached on the file's
    name, hash and the store's identity: reruns (other widgets, page switches) do not read it
    again."""
    from butdata.store import imports as imp

    calls = []
    real = imp.preview_imports  # the page reads every dropped file in one call

    def counted(uploads, *args, **kwargs):
        calls.extend(name for name, _ in uploads)
        return real(uploads, *args, **kwargs)

    monkeypatch.setattr(imp, "preview_imports", counted)
    at = open_page()
    at.file_uploader(key="import_file").set_value(("mcc.csv", GOOD.encode(), "text/csv")).run()
    at.run()
    assert calls == []  # dropped, not read
    at.button(key="import_check").click().run()
    assert calls == ["mcc.csv"]
    at.run()
    at.selectbox(key="formation").set_value("QLIO").run()
    ok(at)
    assert calls == ["mcc.csv"]
    assert any("1 ajouté(s)" in m.value for m in at.markdown)  # still shown, from the cache
