"""ui.data's memo of shared views (plain Python, no Streamlit run needed): one object per key,
shared; bounded; expired after its ttl; a failed build is not kept; concurrent sessions asking
for the same key build it once."""

from __future__ import annotations

import threading
import time

import pytest

from ui.data import _Shared


def _counting(result=lambda *a: list(a)):
    calls: list[tuple] = []

    def fn(*args):
        calls.append(args)
        return result(*args)

    return fn, calls


def test_a_key_is_built_once_and_its_object_shared():
    fn, calls = _counting()
    view = _Shared(fn)
    first = view("store:1", ("a", "b"))
    assert view("store:1", ("a", "b")) is first
    assert first == ["store:1", ("a", "b")]
    view("store:2", ("a", "b"))  # another store identity: another view
    assert calls == [("store:1", ("a", "b")), ("store:2", ("a", "b"))]


def test_a_list_argument_is_keyed_as_its_tuple():
    fn, calls = _counting()
    view = _Shared(fn)
    assert view("k", ["x", "y"]) is view("k", ("x", "y"))
    assert len(calls) == 1


def test_least_recently_used_keys_leave_first():
    fn, calls = _counting()
    view = _Shared(fn, max_entries=2)
    view("a"), view("b"), view("a"), view("c")  # "b" is the least recently used
    view("a")
    assert len(calls) == 3
    view("b")
    assert calls[-1] == ("b",) and len(calls) == 4


def test_an_entry_is_rebuilt_after_its_ttl():
    fn, calls = _counting()
    view = _Shared(fn, ttl=0.05)
    view("a")
    view("a")
    time.sleep(0.08)
    view("a")
    assert len(calls) == 2


def test_a_failed_build_is_not_kept_and_clear_empties():
    attempts = []

    def flaky(key):
        attempts.append(key)
        if len(attempts) == 1:
            raise ValueError("première fois")
        return key.upper()

    view = _Shared(flaky)
    with pytest.raises(ValueError):
        view("a")
    assert view("a") == "A" and len(attempts) == 2
    view.clear()
    assert view("a") == "A" and len(attempts) == 3


def test_sessions_asking_at_once_share_one_build():
    started, release = threading.Event(), threading.Event()
    fn, calls = _counting()

    def slow(*args):
        started.set()
        release.wait(5)
        return fn(*args)

    view = _Shared(slow)
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(view("k"))) for _ in range(4)]
    for t in threads:
        t.start()
    assert started.wait(5)
    time.sleep(0.05)  # the others are waiting for the build
    release.set()
    for t in threads:
        t.join(5)
    assert len(calls) == 1 and len(results) == 4
    assert all(r is results[0] for r in results)
