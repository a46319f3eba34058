"""Shared helpers of the benchmarks: interleaved timing, medians, the stores they run on.

Ratios compare two things measured *side by side in the same run*: ``interleaved`` runs one
repetition of each contender in turn (A, B, A, B, ...), so a noisy neighbour on a shared 2-core
machine slows both sides alike instead of biasing one.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SOURCES = ROOT / "data" / "sources"


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover (not Linux)
        return os.cpu_count() or 1


def interleaved(
    contenders: dict[str, Callable[[], object]], repeat: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Seconds of each call, contenders alternating; ``warmup`` rounds are not recorded."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for i in range(warmup + repeat):
        for name, fn in contenders.items():
            t0 = time.perf_counter()
            fn()
            dt = time.perf_counter() - t0
            if i >= warmup:
                times[name].append(dt)
    return times


def median_ms(seconds: list[float]) -> float | None:
    return round(statistics.median(seconds) * 1000, 3) if seconds else None


def ratio(a: float | None, b: float | None, digits: int = 2) -> float | None:
    return round(a / b, digits) if a is not None and b else None


class Workdir:
    """A temporary directory for the stores of one run (removed at the end unless kept)."""

    def __init__(self, keep: bool = False):
        self.path = Path(tempfile.mkdtemp(prefix="butdata-bench-"))
        self.keep = keep

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc) -> None:
        if not self.keep:
            shutil.rmtree(self.path, ignore_errors=True)


def build_real_store(db_path: Path, sources: Path = SOURCES) -> float:
    """Build the real store from ``sources``; seconds taken."""
    from butdata.store import build_store

    return build_store(sources, db_path).seconds
