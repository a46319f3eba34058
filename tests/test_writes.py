"""Serialised writes (issue « who may change the store »): imports and builds run one at a time
under the store's lock; a second writer waits, then lands, or gets « base occupée » — never a
half failure, never a lost import.

Before this issue, probing a running copy showed: two imports at nearly the same time both
failed (CatalogException, TransactionException, FileNotFoundError on the shared
``*.duckdb.tmp-<pid>`` name), and a build in another process that had read the sources before
an import silently discarded that import, which had reported success.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import QLIO, ROOT

from butdata.errors import StoreBusy
from butdata.store import build_store, ensure_store, open_store
from butdata.store import imports as imp
from butdata.store.lock import temporary_path, temporary_pid, write_lock

OLD_FAILURES = ("CatalogException", "TransactionException", "FileNotFoundError", "Traceback")


def template(parcours: str) -> bytes:
    """A one-table template (QLIO S1, its own parcours): 2 UEs, 3 values."""
    return (
        "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
        f"QLIO,1,{parcours},UE11,R1.01,Anglais,2\n"
        f"QLIO,1,{parcours},UE11,SAE1.01,Projet,3\n"
        f"QLIO,1,{parcours},UE12,R1.01,Anglais,4\n"
    ).encode()


@pytest.fixture()
def site(tmp_path) -> tuple[Path, Path]:
    sources = tmp_path / "sources"
    sources.mkdir()
    shutil.copy(QLIO, sources)
    db = tmp_path / "store.duckdb"
    build_store(sources, db)
    return sources, db


def table_ids(db: Path) -> set[str]:
    con = open_store(db)
    try:
        return {r[0] for r in con.execute("SELECT table_id FROM tables").fetchall()}
    finally:
        con.close()


def test_temporary_names_are_unique_and_carry_the_pid(tmp_path):
    names = {temporary_path(tmp_path / "s.duckdb") for _ in range(200)}
    assert len(names) == 200
    import os

    assert {temporary_pid(n) for n in names} == {os.getpid()}
    assert temporary_pid(tmp_path / "s.duckdb.tmp-123") == 123  # the older form
    assert temporary_pid(tmp_path / "s.duckdb.tmp-123-ab12cd34.wal") == 123


def test_concurrent_imports_from_threads_all_land(site):
    sources, db = site
    n = 6
    barrier = threading.Barrier(n)
    results: dict[int, object] = {}

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = imp.apply_import(f"dept{i}.csv", template(f"P{i}"), db, sources)[1]
        except Exception as exc:  # recorded, asserted below
            results[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    errors = {i: r for i, r in results.items() if isinstance(r, Exception)}
    assert not errors, errors
    waits = sorted(r.lock_wait for r in results.values())  # type: ignore[attr-defined]
    ids = table_ids(db)
    assert {f"dept{i}.csv:qlio-s1-p{i}" for i in range(n)} <= ids and len(ids) == 18 + n
    assert waits[-1] > 0  # someone did wait for the lock
    assert ensure_store(db, sources) is False  # the last build saw every file
    print(f"\n[lock] {n} threads: waits {', '.join(f'{w:.2f}' for w in waits)} s")


CHILD_IMPORT = """
import sys, time
from pathlib import Path
from butdata.store import imports as imp
name, content, db, sources, start_at = sys.argv[1:6]
while time.time() < float(start_at):
    time.sleep(0.001)
try:
    preview, report = imp.apply_import(name, Path(content).read_bytes(), Path(db), Path(sources))
    print("ok", report.lock_wait, report.seconds, flush=True)
except Exception as exc:
    print("fail", type(exc).__name__, exc, flush=True)
"""


def test_concurrent_imports_from_processes_all_land(site, tmp_path):
    sources, db = site
    n = 4
    start_at = time.time() + 2.0  # every child imported and waiting: they start together
    procs = []
    for i in range(n):
        content = tmp_path / f"upload{i}.csv"
        content.write_bytes(template(f"Proc{i}"))
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", CHILD_IMPORT]
                + [f"proc{i}.csv", str(content), str(db), str(sources), str(start_at)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = [p.communicate(timeout=180) for p in procs]
    for out, err in outputs:
        assert out.startswith("ok"), (out, err)
        assert not any(word in out + err for word in OLD_FAILURES), (out, err)
    ids = table_ids(db)
    assert {f"proc{i}.csv:qlio-s1-proc{i}" for i in range(n)} <= ids and len(ids) == 18 + n
    assert ensure_store(db, sources) is False
    waits = sorted(float(out.split()[1]) for out, _ in outputs)
    print(f"\n[lock] {n} processes: waits {', '.join(f'{w:.2f}' for w in waits)} s")


SLOW = """
import sys, time
from pathlib import Path
import butdata.store.build as build
real = build.parse_sources
def slow(*args, **kwargs):
    print("inside the lock", flush=True)
    time.sleep(1.5)
    return real(*args, **kwargs)
build.parse_sources = slow
what, db, sources = sys.argv[1:4]
if what == "build":
    build.build_store(Path(sources), Path(db))
else:
    from butdata.store import imports as imp
    imp.apply_import("lent.csv", Path(sys.argv[4]).read_bytes(), Path(db), Path(sources))
print("done", flush=True)
"""


def _slow_child(*args: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW, *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "inside the lock", proc.stderr.read()  # type: ignore[union-attr]
    return proc


def test_an_import_during_a_slow_build_is_not_lost(site):
    """The build started first and holds the lock: the import waits, then lands on top."""
    sources, db = site
    child = _slow_child("build", str(db), str(sources))
    preview, report = imp.apply_import("pendant.csv", template("Pendant"), db, sources)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0 and "done" in out, err
    assert report.lock_wait > 0.5  # it did wait for the build
    assert "pendant.csv:qlio-s1-pendant" in table_ids(db)
    assert ensure_store(db, sources) is False


def test_a_build_during_a_slow_import_keeps_the_import(site, tmp_path):
    """The import holds the lock: a build started meanwhile waits, then reads the sources
    with the imported file in them (it used to read them first and discard the import)."""
    sources, db = site
    content = tmp_path / "lent.csv"
    content.write_bytes(template("Lent"))
    child = _slow_child("import", str(db), str(sources), str(content))
    report = build_store(sources, db)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0 and "done" in out, err
    assert report.lock_wait > 0.5
    assert "lent.csv" in {d.source for d in report.documents}
    assert "lent.csv:qlio-s1-lent" in table_ids(db)


HOLD = """
import sys, time
from pathlib import Path
from butdata.store.lock import write_lock
with write_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_writer_that_waits_too_long_is_told_the_store_is_busy(site, monkeypatch):
    sources, db = site
    before = sorted(p.name for p in sources.iterdir()), db.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db), "5"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        monkeypatch.setenv("BUTDATA_LOCK_TIMEOUT", "0.3")
        start = time.perf_counter()
        with pytest.raises(StoreBusy) as busy:
            imp.apply_import("attente.csv", template("Attente"), db, sources)
        waited = time.perf_counter() - start
        message = str(busy.value)
        assert message.startswith("base occupée") and "réessayez" in message
        assert "rien n'a été modifié" in message
        assert 0.3 <= waited < 2.0
        with pytest.raises(StoreBusy):
            build_store(sources, db)
        assert (sorted(p.name for p in sources.iterdir()), db.read_bytes()) == before
    finally:
        holder.kill()
        holder.wait()
    monkeypatch.delenv("BUTDATA_LOCK_TIMEOUT")
    imp.apply_import("attente.csv", template("Attente"), db, sources)  # free again: lands


def test_the_lock_is_reentrant_in_a_thread_and_exclusive_between_threads(tmp_path):
    db = tmp_path / "x.duckdb"
    got = []
    with write_lock(db):
        with write_lock(db, timeout=0.1) as waited:  # an import calling build_store
            assert waited < 0.1

        def other() -> None:
            try:
                with write_lock(db, timeout=0.2):
                    got.append("acquired")
            except StoreBusy:
                got.append("busy")

        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert got == ["busy"]
