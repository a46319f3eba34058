"""A rebuild while the app runs is picked up without a restart and without errors (issue 7).

The app holds one cached read-only connection (ui/store.py) and caches keyed by the store file's
identity (ui/data.py). A rebuild writes a new file and moves it over the old one, so:
- under AppTest: a session shows the store built from the QLIO document only, the store is
  rebuilt from both documents into the same path, the same session reruns and shows the new
  content (and the reverse), with no exception and no error box;
- on the real server: open websocket sessions (``tests/load/stclient.py``) show the old content,
  a rebuild runs in another process, and the same sessions rerun and show the new content.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MULTI, QLIO, ROOT
from streamlit.testing.v1 import AppTest

from butdata.store import build_store

sys.path.insert(0, str(Path(__file__).resolve().parent / "load"))

import stclient as c

APP = ROOT / "app.py"
COMPARE = "pages/1_Comparer_les_parcours.py"


@pytest.fixture()
def sources(tmp_path) -> dict[str, Path]:
    out = {}
    for name, files in (("qlio", [QLIO]), ("both", [QLIO, MULTI])):
        d = tmp_path / name
        d.mkdir()
        for f in files:
            shutil.copy(f, d)
        out[name] = d
    return out


@pytest.fixture()
def live_store(tmp_path, sources, monkeypatch) -> Path:
    import streamlit as st

    db = tmp_path / "live.duckdb"
    build_store(sources["qlio"], db)
    monkeypatch.setenv("BUTDATA_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield db
    st.cache_data.clear()
    st.cache_resource.clear()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_home_shows_rebuilt_store_without_restart(live_store, sources):
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    _ok(at)
    assert _metrics(at)["Documents"] == "1"
    qlio_tables = _metrics(at)["Tableaux"]
    assert qlio_tables == "18"

    build_store(sources["both"], live_store)  # same path, new file: the session keeps running
    at.run()
    _ok(at)
    assert _metrics(at)["Documents"] == "2"
    assert int(_metrics(at)["Tableaux"]) > 18

    build_store(sources["qlio"], live_store)  # and back
    at.run()
    _ok(at)
    assert _metrics(at)["Documents"] == "1" and _metrics(at)["Tableaux"] == qlio_tables


def test_open_page_picks_up_new_formations(live_store, sources):
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page(COMPARE).run()
    _ok(at)
    assert [o.split(" — ")[0] for o in at.selectbox(key="formation").options] == ["QLIO"]

    build_store(sources["both"], live_store)
    at.run()
    _ok(at)
    options = [o.split(" — ")[0] for o in at.selectbox(key="formation").options]
    assert "QLIO" in options and "TC" in options
    assert at.selectbox(key="formation").value == "QLIO"  # the user's choice survives
    at.selectbox(key="formation").set_value("TC").run()
    _ok(at)
    assert any("Techniques de commercialisation" in cap.value for cap in at.caption)


def test_rebuild_that_fails_keeps_serving_the_old_store(live_store, sources):
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert _metrics(at)["Documents"] == "1"
    (sources["qlio"] / "zz_binaire.txt").write_bytes(b"\x00\x01")
    with pytest.raises(Exception, match="zz_binaire.txt"):
        build_store(sources["qlio"], live_store)
    at.run()
    _ok(at)
    assert _metrics(at)["Documents"] == "1"


@pytest.mark.slow
def test_real_server_sessions_see_a_rebuild(tmp_path, sources):
    db = tmp_path / "server.duckdb"
    build_store(sources["qlio"], db)
    proc, port = c.start_server(db, tmp_path / "server.log")
    sessions = []
    try:
        sessions = [c.Session(port, timeout=120) for _ in range(3)]
        for s in sessions:
            run = s.run()
            assert run.ok, run.errors
            assert run.metrics()["Documents"] == "1"
        weights = sessions[2].run(page="Poids_par_UE")
        assert weights.ok, weights.errors

        # rebuild in another process, as `python -m butdata build` would while the app runs
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "butdata",
                "build",
                "--sources",
                str(sources["both"]),
                "--db",
                str(db),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr

        for s in sessions[:2]:
            run = s.run()  # the same session, no reconnect
            assert run.ok, run.errors
            assert run.metrics()["Documents"] == "2"
        run = sessions[2].run()  # rerun of the page it was on
        assert run.ok, run.errors
        formation = [e for e in run.widgets("selectbox") if e.key_is("formation")]
        assert formation and "TC" in [o.split(" — ")[0] for o in formation[0].proto.options]
    finally:
        for s in sessions:
            s.close()
        c.stop_server(proc)
    log = (tmp_path / "server.log").read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
