"""More than one server on one store (issue « who may change the store »): two processes run
the app on the same store file and sources; an import made through the Données page of one is
seen by the other's open sessions, without an error on either side.

Process A is the app under AppTest in the test process (the page's upload, « Vérifier »,
« Importer »); process B is a real ``streamlit run`` server with websocket sessions
(``tests/load/stclient.py``) that stay open across the import. Both then import at the same
moment (B through a child process that calls the same ``apply_import``), and both land."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import QLIO, ROOT
from streamlit.testing.v1 import AppTest

from butdata.store import build_store, open_store

sys.path.insert(0, str(Path(__file__).resolve().parent / "load"))

import stclient as c

APP = ROOT / "app.py"
DONNEES = "pages/4_Donnees.py"


def template(parcours: str) -> bytes:
    return (
        "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
        f"QLIO,1,{parcours},UE11,R1.01,Anglais,2\n"
        f"QLIO,1,{parcours},UE12,SAE1.01,Projet,3\n"
    ).encode()


IMPORT = """
import sys
from pathlib import Path
from butdata.store import imports as imp
name, content, db, sources = sys.argv[1:5]
preview, report = imp.apply_import(name, Path(content).read_bytes(), Path(db), Path(sources))
print("ok", report.lock_wait)
"""


@pytest.fixture()
def shared(tmp_path, monkeypatch) -> tuple[Path, Path]:
    import streamlit as st

    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    db = tmp_path / "shared.duckdb"
    build_store(sources, db)
    monkeypatch.setenv("BUTDATA_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield sources, db
    st.cache_data.clear()
    st.cache_resource.clear()


def _tables(run: c.Run) -> str:
    return run.metrics()["Tableaux"]


@pytest.mark.slow
def test_an_import_on_one_server_is_seen_by_the_other(shared, tmp_path):
    sources, db = shared
    proc, port = c.start_server(db, tmp_path / "b.log")
    sessions: list[c.Session] = []
    try:
        sessions = [c.Session(port, timeout=120) for _ in range(2)]
        for s in sessions:
            run = s.run()
            assert run.ok, run.errors
            assert _tables(run) == "18"

        # server A (this process): upload, check, import through the page
        a = AppTest.from_file(str(APP), default_timeout=120).run()
        a.switch_page(DONNEES).run()
        a.file_uploader(key="import_file").set_value(("serveur a.csv", template("A"), "text/csv"))
        a.run()
        a.button(key="import_check").click().run()
        a.button(key="import_confirm").click().run()
        assert not a.exception and not a.error, [e.value for e in a.error]
        assert any("Import terminé" in m.value for m in a.success)

        # server B's open sessions rerun and see it
        for s in sessions:
            run = s.run()
            assert run.ok, run.errors
            assert _tables(run) == "19"

        # both servers import at the same moment: both land, none is lost
        content = tmp_path / "b.csv"
        content.write_bytes(template("B"))
        child = subprocess.Popen(
            [sys.executable, "-c", IMPORT, "serveur_b.csv", str(content), str(db), str(sources)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(0.2)
        a.file_uploader(key="import_file").set_value(("serveur a2.csv", template("A2"), "text/csv"))
        a.run()
        a.button(key="import_check").click().run()
        a.button(key="import_confirm").click().run()
        out, err = child.communicate(timeout=120)
        assert out.startswith("ok"), err
        assert not a.exception and not a.error, [e.value for e in a.error]
        for s in sessions:
            run = s.run()
            assert run.ok, run.errors
            assert _tables(run) == "21"
        a.switch_page("app.py").run()
        assert {m.label: m.value for m in a.metric}["Tableaux"] == "21"
    finally:
        for s in sessions:
            s.close()
        c.stop_server(proc)
    con = open_store(db)
    try:
        ids = {r[0] for r in con.execute("SELECT table_id FROM tables").fetchall()}
    finally:
        con.close()
    assert {
        "serveur_a.csv:qlio-s1-a",
        "serveur_a2.csv:qlio-s1-a2",
        "serveur_b.csv:qlio-s1-b",
    } <= ids
    log = (tmp_path / "b.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
