"""One writer at a time per store, across threads and processes of one machine.

Every write of a store (a build, an import: « write the source file, then rebuild ») runs under
``write_lock(db_path)``: an exclusive ``flock`` on ``<store>.lock`` beside the store. A second
writer waits up to ``settings.lock_timeout`` seconds, then gets ``StoreBusy`` (« base occupée,
réessayez »): it never fails halfway and never overwrites the first one's work, because each
writer reads the sources only once it holds the lock. Readers take no lock: they open the store
read-only, and a build replaces the file atomically.

The lock is re-entrant within a thread (an import holds it and calls ``build_store``, which takes
it again), exclusive between threads of a process and between processes.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from butdata import fmt
from butdata.errors import StoreBusy, os_error
from butdata.settings import limits


def lock_path(db_path: Path) -> Path:
    return Path(db_path).with_name(f"{Path(db_path).name}.lock")


def temporary_path(target: Path) -> Path:
    """A name beside ``target`` that no other writer uses: pid (so that a later build can tell
    a dead writer's leftover) and a random part (two threads of one process never share it)."""
    target = Path(target)
    return target.with_name(f"{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")


def temporary_pid(path: Path) -> int | None:
    """The pid in a name made by ``temporary_path`` (or by the older ``.tmp-<pid>`` form)."""
    tail = path.name.rsplit(".tmp-", 1)[-1].split(".")[0]
    pid = tail.split("-")[0]
    return int(pid) if pid.isdigit() else None


@contextmanager
def write_lock(db_path: Path, timeout: float | None = None) -> Iterator[float]:
    """Hold the store's write lock; yields the seconds spent waiting for it."""
    path = lock_path(db_path)
    wait = limits().lock_timeout if timeout is None else timeout
    # One lock object per path and process: thread-local counters make it re-entrant in a
    # thread, and its flock on a file descriptor of its own excludes the other threads.
    lock = filelock.FileLock(path, is_singleton=True)
    start = time.perf_counter()
    try:
        lock.acquire(timeout=wait)
    except filelock.Timeout:
        raise StoreBusy(
            f"base occupée : une autre mise à jour est en cours depuis plus de "
            f"{fmt.seconds(wait)} ; réessayez dans un instant (rien n'a été modifié)"
        ) from None
    except OSError as exc:
        raise os_error(exc, path) from None
    try:
        yield time.perf_counter() - start
    finally:
        lock.release()
