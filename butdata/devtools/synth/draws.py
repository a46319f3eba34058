"""Seeded draws: a platform-independent hash for per-(site, module, UE) choices, weighted picks,
and the coefficients one template module gets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import numpy as np

from butdata.devtools.synth.profile import PROFILE

K = TypeVar("K")


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: deterministic, platform-independent pseudo-random uint64."""
    x = x.astype(np.uint64, copy=True)
    with np.errstate(over="ignore"):
        x ^= x >> np.uint64(30)
        x *= np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x *= np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    return x


def uniform(*keys: np.ndarray, seed: int) -> np.ndarray:
    """A float in [0, 1) per position of the key arrays, the same for the same keys and seed."""
    h = _mix(np.full(len(keys[0]), seed, dtype=np.uint64))
    for k in keys:
        h = _mix(h ^ np.asarray(k).astype(np.uint64))
    return (h >> np.uint64(11)).astype(np.float64) / float(2**53)


def draw(rng: np.random.Generator, weights: Mapping[K, int]) -> K:
    """One key, with probability proportional to its weight."""
    keys = list(weights)
    w = np.array([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=w / w.sum()))]


def module_coefs(
    rng: np.random.Generator, kind: str, n_ue: int, only: list[int] | None = None
) -> dict[int, float]:
    """competence -> value of one module: the UEs it feeds (``only``, or drawn from the fan-out
    of its kind) and their values, drawn from the profile."""
    comps = list(range(1, n_ue + 1))
    fan = draw(rng, PROFILE["fanout"][kind])
    if only:
        fed = only
    elif fan == "one":
        fed = [int(rng.integers(1, n_ue + 1))]
    elif fan == "all_but_one" and n_ue > 2:
        skip = int(rng.integers(1, n_ue + 1))
        fed = [c for c in comps if c != skip]
    else:
        fed = comps
    values = PROFILE["values"].get((kind, "one" if len(fed) == 1 else "several"))
    if values is None:  # e.g. a parcours SAÉ of a kind never seen feeding one UE
        values = PROFILE["values"][(kind, "several")]
    same_n, all_n = PROFILE["same_value"].get(kind, (1, 1))
    if len(fed) > 1 and rng.random() < same_n / all_n:
        v = draw(rng, values)
        return {c: v for c in fed}
    return {c: draw(rng, values) for c in fed}
