"""The journal of changes (``butdata.store.journal``): one JSON line per write, appended
atomically; concurrent writers (threads, processes) keep every line whole."""

from __future__ import annotations

import json
import multiprocessing
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import polars as pl
import pytest

from butdata.errors import ButdataError
from butdata.store import journal as jn


def write(path: Path, i: int, author: str = "marie") -> None:
    jn.record(
        path,
        author=author,
        role="éditeur",
        method="mot de passe",
        action="import",
        outcome=jn.OK,
        file=f"f{i}.csv",
        added=[f"t-{i}-a", f"t-{i}-b"],
        detail="x" * 20_000,  # lines longer than a write buffer: interleaving would show
    )


def test_record_then_read_newest_first(tmp_path):
    path = tmp_path / "store.journal.jsonl"
    paris = timezone(timedelta(hours=1))
    jn.record(
        path,
        author="marie",
        role="éditeur",
        method="mot de passe",
        action="import",
        outcome=jn.OK,
        file="mcc_gea.csv",
        added=["gea-s1"],
        replaced=["gea-s2"],
        removed=["gea-s3"],
        detail="Tableaux : 1 ajouté(s).",
        at=datetime(2026, 12, 1, 10, 42, 5, tzinfo=paris),
    )
    jn.record(
        path,
        author=None,
        role="visiteur",
        method="anonyme",
        action="import",
        outcome=jn.REFUSED,
        file="mcc_gea.csv",
    )
    first = json.loads(path.read_text().splitlines()[0])
    assert first["at"] == "2026-12-01T10:42:05+01:00"
    assert list(first) == [
        "at",
        "author",
        "role",
        "method",
        "action",
        "file",
        "outcome",
        "added",
        "replaced",
        "removed",
        "detail",
    ]
    frame = jn.read(path)
    assert frame.columns == list(jn.SCHEMA)
    assert frame["outcome"].to_list() == ["refusé", "réussi"]  # newest first
    assert frame["author"].to_list() == [None, "marie"]
    assert frame["line"].to_list() == [2, 1]
    old = frame.row(1, named=True)
    assert old["at"] == datetime(2026, 12, 1, 9, 42, 5, tzinfo=UTC)  # 10:42 in Paris = 9:42 UTC
    assert (old["added"], old["replaced"], old["removed"]) == (["gea-s1"], ["gea-s2"], ["gea-s3"])
    assert jn.read(path, limit=1).height == 1


def test_read_without_journal_is_empty_with_columns(tmp_path):
    frame = jn.read(tmp_path / "none.jsonl")
    assert frame.height == 0 and frame.schema == pl.Schema(jn.SCHEMA)


def test_a_damaged_line_is_reported_not_fatal(tmp_path):
    path = tmp_path / "j.jsonl"
    write(path, 1)
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"at": "2026-12-01T10:4')  # a crash in the middle of a line
    frame = jn.read(path)
    assert frame["outcome"].to_list() == [jn.UNREADABLE, jn.OK]
    assert frame["detail"][0] == "ligne 2 du journal illisible"


def test_unknown_outcome_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError):
        jn.record(tmp_path / "j", author="a", role="r", method="m", action="import", outcome="ok")


def test_journal_path_beside_the_store(monkeypatch):
    monkeypatch.delenv(jn.JOURNAL_ENV, raising=False)
    assert jn.journal_path(Path("data/butdata.duckdb")) == Path("data/butdata.journal.jsonl")
    monkeypatch.setenv(jn.JOURNAL_ENV, "/srv/journal.jsonl")
    assert jn.journal_path(Path("data/butdata.duckdb")) == Path("/srv/journal.jsonl")


def test_check_writable_says_why_in_french(tmp_path):
    (tmp_path / "file").write_text("")
    with pytest.raises(ButdataError, match="journal des modifications .* écriture"):
        jn.check_writable(tmp_path / "file" / "journal.jsonl")  # parent is a file
    jn.check_writable(tmp_path / "ok.jsonl")  # creates it, empty
    assert (tmp_path / "ok.jsonl").read_text() == ""


def check_lines(path: Path, expected: set[tuple[str, str]]) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines]  # every line is whole JSON
    assert len(items) == len(expected)
    assert {(i["author"], i["file"]) for i in items} == expected
    assert all(i["added"] == [f"t-{i['file'][1:-4]}-a", f"t-{i['file'][1:-4]}-b"] for i in items)


def test_concurrent_threads_keep_every_line(tmp_path):
    path = tmp_path / "j.jsonl"
    threads = [
        threading.Thread(target=lambda k=k: [write(path, k * 100 + i, f"a{k}") for i in range(50)])
        for k in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    check_lines(path, {(f"a{k}", f"f{k * 100 + i}.csv") for k in range(8) for i in range(50)})


def _process_writer(path: str, k: int) -> None:
    for i in range(50):
        write(Path(path), k * 100 + i, f"p{k}")


def test_concurrent_processes_keep_every_line(tmp_path):
    path = tmp_path / "j.jsonl"
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_process_writer, args=(str(path), k)) for k in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    check_lines(path, {(f"p{k}", f"f{k * 100 + i}.csv") for k in range(4) for i in range(50)})
    assert jn.read(path).height == 200
