"""Shared fixtures: stores are built from the real documents in data/sources (never committed)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "data" / "sources"
QLIO = SOURCES / "000_f0acc9a397de0cbd.txt"
MULTI = SOURCES / "004_8659784350827029.txt"

# Scenarios saved in a local app (data/scenarios/) must not reach the suite's stores.
os.environ.setdefault(
    "BUTDATA_SCENARIOS",
    str(Path(os.environ.get("TMPDIR", "/tmp")) / f"butdata-test-scenarios-{os.getpid()}"),
)
os.environ.setdefault(
    "BUTDATA_DB", str(Path(os.environ.get("TMPDIR", "/tmp")) / f"butdata-test-{os.getpid()}.duckdb")
)


def qlio_site(root: Path) -> tuple[Path, Path]:
    """A writable store of its own under ``root``, built from a copy of the QLIO document (a
    test that writes never touches the shared store): its sources folder and store."""
    from butdata.readers import meta_path
    from butdata.store import build_store

    sources = root / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    shutil.copy(meta_path(QLIO), sources)
    db = root / "store.duckdb"
    build_store(sources, db)
    return sources, db


@pytest.fixture(autouse=True)
def _fresh_views():
    """The pages' shared views (ui.data, a memo of its own: not cleared with Streamlit's caches)
    start empty in every test, as on a new server."""
    from ui import data

    data.clear()
    yield
    data.clear()


@pytest.fixture(scope="session")
def store_path(tmp_path_factory) -> Path:
    """A store built once per test session from both real documents."""
    from butdata.store import build_store

    path = tmp_path_factory.mktemp("store") / "butdata.duckdb"
    build_store(SOURCES, path)
    return path


@pytest.fixture()
def con(store_path):
    from butdata.store import open_store

    connection = open_store(store_path)
    yield connection
    connection.close()


def source_line(path: Path, line: int) -> str:
    """The text of a 1-based line of a source document, numbered as the readers number it
    (tests quote what they check)."""
    from butdata.readers import read_text_lines

    return read_text_lines(path)[line - 1]
