"""Reliability of builds (issue 7): random SIGKILLs, failed builds, mutated document sets.

- ``test_random_kills_never_damage_the_store``: builds killed (SIGKILL) at seeded random moments
  spread over the whole build (from the first line read to the file replaced); after each kill
  the store opens and holds exactly the old content (untouched file) or exactly the new one
  (the kill came after the atomic replace), a reader connection opened before the kill still
  works, and the next build succeeds and cleans the killed build's temporary file.
- ``test_failed_build_leaves_store_byte_identical``: unreadable files of every kind among the
  sources (binary text, fake PDF, garbage XLSX/CSV), sorted before, between and after the real
  documents: the build stops on a SourceError naming the file, the store is byte-identical.
- ``test_mutated_document_sets_build_or_fail_cleanly``: hypothesis mutates the real documents
  (and may add a bad or duplicate file) and runs the whole ``build_store`` over a previous store:
  either the store is built, with statuses, warnings and only printed values, or the build fails
  with a SourceError naming one of the files and the previous store is byte-identical.

Stores here are built from the real documents in data/sources.
"""

from __future__ import annotations

import hashlib
import math
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MULTI, QLIO, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_robustness import NASTY

from butdata.errors import SourceError
from butdata.store import build_store, open_store

VIEWS = ("sources", "tables", "ues", "coefficients", "modules", "warnings")
KILLS = 20
SEED = 20251121

CHILD = """
import sys, time
from pathlib import Path
import butdata.store as store
def progress(fraction, message):
    print("phase", message, flush=True)
print("ready", flush=True)
start = time.perf_counter()
store.build_store(Path(sys.argv[1]), Path(sys.argv[2]), progress=progress)
print("done", time.perf_counter() - start, flush=True)
"""


def snapshot(db: Path) -> list:
    """Every row of every public view (build metadata such as built_at excluded)."""
    con = open_store(db)
    try:
        return [con.execute(f"SELECT * FROM {v} ORDER BY ALL").fetchall() for v in VIEWS]
    finally:
        con.close()


def sources_dir(base: Path, name: str, files: list[Path]) -> Path:
    d = base / name
    d.mkdir()
    for f in files:
        shutil.copy(f, d)
    return d


def temporaries(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f"{db.name}.tmp-*"))


def child_build(src: Path, db: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(src), str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline().strip()
    assert line == "ready", (line, proc.stderr.read() if proc.poll() is not None else "")
    return proc


@pytest.mark.slow
def test_random_kills_never_damage_the_store(tmp_path):
    """SIGKILL at seeded random moments spread over the whole build duration."""
    small = sources_dir(tmp_path, "qlio", [QLIO])
    both = sources_dir(tmp_path, "both", [QLIO, MULTI])
    expected = {}
    for name, src in (("qlio", small), ("both", both)):
        ref = tmp_path / f"ref-{name}.duckdb"
        build_store(src, ref)
        expected[name] = snapshot(ref)
    assert expected["qlio"] != expected["both"]

    # How long a build takes here, from "ready" (imports done) to the end (includes the replace).
    calib_db = tmp_path / "calib.duckdb"
    proc = child_build(both, calib_db)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    duration = float(out.strip().splitlines()[-1].split()[1])

    db = tmp_path / "store.duckdb"
    build_store(small, db)
    current = "qlio"
    rng = random.Random(SEED)
    outcomes = {"old content kept": 0, "new content (killed after the replace)": 0}
    phases: dict[str, int] = {}
    for _ in range(KILLS):
        target = "both" if current == "qlio" else "qlio"
        before_bytes = hashlib.sha256(db.read_bytes()).hexdigest()
        before_inode = db.stat().st_ino
        reader = open_store(db)  # e.g. the app's connection, open across the kill
        n_tables = reader.execute("SELECT count(*) FROM tables").fetchone()[0]
        proc = child_build(both if target == "both" else small, db)
        time.sleep(rng.uniform(0, 1.25 * duration))
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == -signal.SIGKILL or "done" in out
        seen = [line.split(" ", 1)[1] for line in out.splitlines() if line.startswith("phase ")]
        phase = "finished" if "done" in out else (seen[-1].split(" ")[0] if seen else "start")
        phase += ", temporary left" if temporaries(db) else ""
        phases[phase] = phases.get(phase, 0) + 1

        # the reader opened before the kill still reads the same store
        assert reader.execute("SELECT count(*) FROM tables").fetchone()[0] == n_tables
        reader.close()
        if db.stat().st_ino == before_inode:
            assert hashlib.sha256(db.read_bytes()).hexdigest() == before_bytes
            assert snapshot(db) == expected[current]
            outcomes["old content kept"] += 1
        else:  # killed after os.replace: the new store is complete
            assert snapshot(db) == expected[target]
            outcomes["new content (killed after the replace)"] += 1
            current = target

        # a later build succeeds and removes what the killed build left behind
        target = "both" if current == "qlio" else "qlio"
        build_store(both if target == "both" else small, db)
        assert snapshot(db) == expected[target]
        assert temporaries(db) == []
        current = target

    print(
        f"\n[kills] {KILLS} SIGKILLs over a {duration:.2f} s build: {outcomes}; "
        f"last phase reached: {phases}"
    )
    assert sum(outcomes.values()) == KILLS


BAD_FILES = {
    "binary.txt": b"\x00\x01\x02binary\xff\xfe" * 50,
    "scan.txt": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nstream\x00\x9c\x78",
    "classeur.xlsx": b"PK\x03\x04 not really a zip \x00\xff" * 10,
    "modele.csv": b"\x00\x00\xff\xfe\x00garbage,\x00,\x00\n" * 5,
}


@pytest.mark.parametrize("bad", sorted(BAD_FILES))
@pytest.mark.parametrize("prefix", ["000", "001", "zzz"])  # before, between, after the documents
def test_failed_build_leaves_store_byte_identical(tmp_path, bad, prefix):
    src = sources_dir(tmp_path, "src", [QLIO, MULTI])
    db = tmp_path / "store.duckdb"
    build_store(src, db)
    before = db.read_bytes()
    stat = db.stat()
    name = f"{prefix}_{bad}"
    (src / name).write_bytes(BAD_FILES[bad])
    with pytest.raises(SourceError) as err:
        build_store(src, db)
    assert err.value.source == name
    assert name in str(err.value)
    assert db.read_bytes() == before
    assert (db.stat().st_ino, db.stat().st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns)
    assert temporaries(db) == []


# --------------------------------------------------------------------------- build-level mutations

DOC_LINES = {
    QLIO.name: QLIO.read_text(encoding="utf-8").split("\n"),
    MULTI.name: MULTI.read_text(encoding="utf-8").split("\n"),
}
EXTRA = {
    None: None,
    "zz_binaire.txt": b"\x00\x01binary",
    "zz_vide.txt": b"",
    "zz_latin1.txt": "Semestre 1 BUT QLIO \xe9t\xe9\n".encode("latin-1"),
    "zz_html.txt": b"<html><script>alert(1)</script><img src=x onerror=alert(1)></html>\n",
    "zz_modele.csv": b"table_id,ue,coefficient\n'; DROP TABLE t_tables; --,UE11,1e308\n",
    "copie.txt": "duplicate",  # a copy of the QLIO document under another name
}


# One mutation: (document, operation, line index as a fraction of the document, size, text).
# The strategy draws these small descriptions (readable when hypothesis reports a failure) and
# the test applies them to the real documents.
OPS = ["truncate", "drop", "shuffle", "inject", "replace_token"]
mutation = st.tuples(
    st.sampled_from(sorted(DOC_LINES)),
    st.sampled_from(OPS),
    st.floats(0, 1, exclude_max=True),
    st.integers(1, 40),
    st.one_of(st.sampled_from(NASTY), st.text(max_size=40)),
)
document_set = st.tuples(st.lists(mutation, max_size=5), st.sampled_from([None] * 5 + list(EXTRA)))


def apply(mutations: list[tuple], extra: str | None) -> dict[str, bytes]:
    docs = {name: list(lines) for name, lines in DOC_LINES.items()}
    for name, op, where, size, text in mutations:
        lines = docs[name]
        if not lines:
            continue
        i = int(where * len(lines))
        if op == "truncate":
            del lines[i:]
        elif op == "drop":
            del lines[i : i + size]
        elif op == "shuffle":
            chunk = lines[i : i + size + 1]
            random.Random(size).shuffle(chunk)
            lines[i : i + size + 1] = chunk
        elif op == "inject":
            lines.insert(i, text)
        else:
            tokens = lines[i].split(" ")
            tokens[size % len(tokens)] = text
            lines[i] = " ".join(tokens)
    files = {name: "\n".join(lines).encode("utf-8") for name, lines in docs.items()}
    if extra == "copie.txt":
        files[extra] = QLIO.read_bytes()
    elif extra is not None:
        files[extra] = EXTRA[extra]
    return files


@pytest.fixture(scope="module")
def previous_store(tmp_path_factory) -> Path:
    """A store built from the unmutated documents (the store a failed build must keep)."""
    d = tmp_path_factory.mktemp("previous")
    src = sources_dir(d, "src", [QLIO, MULTI])
    build_store(src, d / "store.duckdb")
    return d / "store.duckdb"


def check_built_store(db: Path, files: dict[str, bytes]) -> None:
    con = open_store(db)
    try:
        assert {r[0] for r in con.execute("SELECT source FROM sources").fetchall()} == set(files)
        statuses = {r[0] for r in con.execute("SELECT DISTINCT status FROM tables").fetchall()}
        assert statuses <= {"complete", "partial", "empty"}
        for (source,) in con.execute("SELECT DISTINCT source FROM warnings").fetchall():
            assert source in files
        lines = {name: data.decode("utf-8").split("\n") for name, data in files.items()}
        rows = con.execute(
            "SELECT t.source, c.source_line, c.printed, c.coefficient "
            "FROM coefficients c JOIN tables t USING (table_id)"
        ).fetchall()
        for source, line, printed, value in rows:
            text = lines[source][line - 1].rstrip("\r").replace("\u00a0", " ")
            assert printed in text.split(), (source, line, printed, text)
            assert math.isfinite(value) and value > 0 and value == float(printed.replace(",", "."))
        # warnings of partial tables: a partial table says why
        partial = con.execute(
            "SELECT count(*) FROM tables t WHERE status = 'partial' AND NOT "
            "EXISTS (SELECT 1 FROM warnings w WHERE w.table_id = t.table_id)"
        ).fetchone()[0]
        assert partial == 0
    finally:
        con.close()


MUTATION_EXAMPLES = 30
_outcomes = {"built": 0, "refused": 0}


@pytest.mark.slow
@settings(
    max_examples=MUTATION_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.function_scoped_fixture,
        HealthCheck.data_too_large,
    ],
)
@given(sample=document_set)
def test_mutated_document_sets_build_or_fail_cleanly(tmp_path_factory, previous_store, sample):
    files = apply(*sample)
    previous = previous_store.read_bytes()
    base = tmp_path_factory.mktemp("mutset")
    src = base / "sources"
    src.mkdir()
    for name, data in files.items():
        (src / name).write_bytes(data)
    db = base / "store.duckdb"
    db.write_bytes(previous)
    try:
        build_store(src, db)
    except SourceError as exc:
        assert exc.source in files, exc
        assert str(exc).startswith(exc.source)
        assert db.read_bytes() == previous
        assert temporaries(db) == []
        _outcomes["refused"] += 1
        return
    check_built_store(db, files)
    _outcomes["built"] += 1


def test_mutation_outcomes_reported():
    """Runs after the property test (file order): both outcomes happened and are reported."""
    assert sum(_outcomes.values()) > 0, (
        "the mutation property test (above, same file) must run first: run the whole file"
    )
    print(
        f"\n[mutations] {sum(_outcomes.values())} mutated document sets built through "
        f"build_store: {_outcomes}"
    )
    assert _outcomes["built"] > 0 and _outcomes["refused"] > 0
