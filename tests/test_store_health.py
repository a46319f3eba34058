"""Errors in French, never a traceback (issue « who may change the store »): a damaged store is
found on open and rebuilt from its sources (or named, with what to do), a read-only data
directory falls back to the user's cache directory, and odd paths get a French message.

Before this issue a half-truncated store gave raw tracebacks in ``check`` / ``export`` /
``simulate`` and was never rebuilt, even after a restart; so did a non-UTF-8 or unreadable
source file name and ``--db`` on a directory; a read-only ``data/`` on first start showed
Streamlit's English error banner on every page."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import QLIO, ROOT
from streamlit.testing.v1 import AppTest

from butdata.errors import ButdataError, SourceError, StoreDamaged
from butdata.store import build_store, ensure_store, open_store, repair_store
from butdata.store import read as store_read
from butdata.store.schema import SCHEMA_VERSION

APP = ROOT / "app.py"
VIEWS = ("tables", "ues", "coefficients", "modules", "warnings")


def snapshot(db: Path) -> list:
    con = open_store(db)
    try:
        return [con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in VIEWS]
    finally:
        con.close()


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "butdata", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


def truncate_half(db: Path) -> None:
    with open(db, "r+b") as fh:
        fh.truncate(db.stat().st_size // 2)


@pytest.fixture()
def site(tmp_path) -> tuple[Path, Path]:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    db = tmp_path / "store.duckdb"
    build_store(sources, db)
    return sources, db


# -- a damaged store ----------------------------------------------------------------------------


def test_a_half_truncated_store_is_found_on_open_and_rebuilt(site):
    sources, db = site
    before = snapshot(db)
    truncate_half(db)
    problem = store_read.check_store(db)
    assert problem and problem.startswith("lecture impossible")  # meta alone still reads
    with pytest.raises(StoreDamaged) as err:
        open_store(db)
    assert str(err.value).startswith(f"base abîmée ou illisible : {db}")
    assert ensure_store(db, sources) is True  # the app's start (and every restart) repairs it
    assert snapshot(db) == before
    assert repair_store(db) is False  # sound again


def test_a_store_of_an_older_schema_is_rebuilt(site):
    import duckdb

    sources, db = site
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    con.close()
    expected = f"schéma 3 d'une autre version (attendu : {SCHEMA_VERSION})"
    assert expected in (store_read.check_store(db) or "")
    assert repair_store(db) is True and store_read.check_store(db) is None


@pytest.mark.parametrize("command", ["check", "export", "simulate"])
def test_cli_on_a_damaged_store_without_sources_says_so_in_french(site, tmp_path, command):
    sources, db = site
    truncate_half(db)
    shutil.rmtree(sources)  # nothing to rebuild it from
    extra = {
        "check": [],
        "export": ["--out", str(tmp_path / "x.csv")],
        "simulate": ["000-qlio-s1", "--grade", "R1.01=12"],
    }[command]
    done = cli(command, "--db", str(db), *extra)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.startswith(f"erreur : base abîmée ou illisible : {db} (lecture impossible")
    assert "aucun document source pour la reconstruire" in done.stderr
    assert "python -m butdata build --sources DOSSIER" in done.stderr


def test_cli_check_repairs_a_damaged_store_from_its_sources(site):
    sources, db = site
    before = snapshot(db)
    truncate_half(db)
    done = cli("check", "--db", str(db))
    assert done.returncode == 0, done.stderr
    assert "base abîmée : reconstruite à partir de ses sources" in done.stderr
    assert "Traceback" not in done.stderr and snapshot(db) == before


@pytest.fixture()
def _fresh_streamlit():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_the_app_on_a_damaged_store_without_sources_shows_a_french_message(
    site, monkeypatch, _fresh_streamlit
):
    sources, db = site
    truncate_half(db)
    shutil.rmtree(sources)
    monkeypatch.setenv("BUTDATA_DB", str(db))
    # the default sources must not be used for a store built from elsewhere
    monkeypatch.setattr("butdata.store.build.DEFAULT_SOURCES", sources)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1
    assert at.error[0].value.startswith(
        "La base n'a pas pu être construite à partir des documents sources : base abîmée ou "
        f"illisible : {db} (lecture impossible"
    )
    assert "aucun document source pour la reconstruire" in at.error[0].value


def test_the_app_on_a_damaged_store_with_its_sources_rebuilds_it(
    site, monkeypatch, _fresh_streamlit
):
    sources, db = site
    truncate_half(db)
    monkeypatch.setenv("BUTDATA_DB", str(db))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert {m.label: m.value for m in at.metric}["Tableaux"] == "18"


# -- a read-only data directory ------------------------------------------------------------------


def test_a_data_directory_that_cannot_be_written_falls_back_to_the_cache(
    tmp_path, monkeypatch, _fresh_streamlit
):
    """Root writes everywhere, so « cannot be written » is made here with a file standing
    where the data directory should be (every write beneath it fails, root or not); the next
    test uses a real read-only mount when the machine allows one."""
    blocked = tmp_path / "data"
    blocked.write_text("un fichier, pas un dossier")
    cache = tmp_path / "cache"
    monkeypatch.delenv("BUTDATA_DB", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setattr(store_read, "DEFAULT_DB", blocked / "butdata.duckdb")
    store_read._locations.clear()
    try:
        path, notice = store_read.store_location()
        assert path == cache / "butdata" / "butdata.duckdb"
        assert notice == (
            f"Le dossier {blocked} n'est pas modifiable : la base est construite dans "
            f"{path} (dossier de cache de l'utilisateur)."
        )
        at = AppTest.from_file(str(APP), default_timeout=60).run()
        assert not at.exception and not at.error, [e.value for e in at.error]
        assert {m.label: m.value for m in at.metric}["Documents"] == "2"
        assert [i.value for i in at.sidebar.info] == [notice]
        assert path.is_file()
    finally:
        store_read._locations.clear()


READ_ONLY_CHILD = """
import json, os, sys
from pathlib import Path
from streamlit.testing.v1 import AppTest
at = AppTest.from_file(sys.argv[1], default_timeout=120).run()
print(json.dumps({
    "exception": [str(e.value) for e in at.exception],
    "error": [e.value for e in at.error],
    "info": [i.value for i in at.sidebar.info],
    "metrics": {m.label: m.value for m in at.metric},
}))
"""


def test_a_real_read_only_data_directory(tmp_path):
    """``data/`` mounted read-only (in a private mount namespace, so the checkout itself is
    untouched): the app starts, builds its store in the cache and says so in French."""
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip(f"no private mount namespace here ({probe.stderr.decode()[:80]})")
    data = ROOT / "data"
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k != "BUTDATA_DB"}
    env["XDG_CACHE_HOME"] = str(cache)
    script = (
        f'mount --bind -o ro "{data}" "{data}" && touch "{data}/probe" 2>/dev/null '
        f'&& exit 99; exec "{sys.executable}" -c "$0" "{APP}"'
    )
    done = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, READ_ONLY_CHILD],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["exception"] == [] and result["error"] == []
    assert result["metrics"]["Documents"] == "2"
    assert result["info"] == [
        f"Le dossier {data} n'est pas modifiable : la base est construite dans "
        f"{cache / 'butdata' / 'butdata.duckdb'} (dossier de cache de l'utilisateur)."
    ]
    assert (cache / "butdata" / "butdata.duckdb").is_file()
    assert "Traceback" not in done.stderr


def test_cli_build_into_a_path_that_cannot_be_written(site, tmp_path):
    sources, _ = site
    blocked = tmp_path / "fichier"
    blocked.write_text("x")
    done = cli("build", "--sources", str(sources), "--db", str(blocked / "b.duckdb"))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr == f"erreur : {blocked} : existe mais n'est pas un dossier\n"


# -- odd paths and file names ------------------------------------------------------------------


@pytest.mark.parametrize("command", ["build", "check", "export", "simulate"])
def test_db_on_a_directory(site, tmp_path, command):
    sources, _ = site
    folder = tmp_path / "dossier"
    folder.mkdir()
    extra = {
        "build": ["--sources", str(sources)],
        "check": [],
        "export": ["--out", str(tmp_path / "x.csv")],
        "simulate": ["000-qlio-s1", "--grade", "R1.01=12"],
    }[command]
    done = cli(command, "--db", str(folder), *extra)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr == (
        f"erreur : « {folder} » est un dossier : indiquez le fichier de la base "
        f"(par exemple {folder / 'butdata.duckdb'})\n"
    )


def test_a_source_file_name_that_is_not_utf8(site):
    sources, db = site
    before = db.read_bytes()
    bad = os.path.join(os.fsencode(sources), b"zz_\xff\xfe.txt")
    with open(bad, "wb") as fh:
        fh.write(QLIO.read_bytes())
    with pytest.raises(SourceError) as err:
        build_store(sources, db)
    assert err.value.source == "zz_\ufffd\ufffd.txt"
    assert "nom de fichier illisible (octets non UTF-8)" in err.value.message
    assert db.read_bytes() == before
    done = cli("build", "--sources", str(sources), "--db", str(db))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("erreur : zz_\ufffd\ufffd.txt: nom de fichier illisible")


def test_a_source_file_that_cannot_be_read(site):
    sources, db = site
    before = db.read_bytes()
    # /proc/self/mem is a regular file whose first bytes no process may read (EIO), root or not
    (sources / "zz_illisible.txt").symlink_to("/proc/self/mem")
    with pytest.raises(SourceError) as err:
        build_store(sources, db)
    assert (err.value.source, err.value.message) == (
        "zz_illisible.txt",
        "lecture impossible : erreur d'entrée-sortie (disque ou fichier abîmé)",
    )
    assert db.read_bytes() == before
    done = cli("build", "--sources", str(sources), "--db", str(db))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "zz_illisible.txt: lecture impossible : erreur d'entrée-sortie" in done.stderr


def test_french_reasons_for_os_errors():
    import errno

    from butdata.errors import os_error

    assert str(os_error(PermissionError(errno.EACCES, "Permission denied", "/x"))) == (
        "/x : accès refusé"
    )
    assert str(os_error(OSError(errno.ENOSPC, "No space left"), Path("/d"))) == "/d : disque plein"
    assert "Permission" not in str(os_error(PermissionError(errno.EACCES, "Permission denied")))
    assert isinstance(os_error(OSError(errno.EROFS, "x")), ButdataError)
