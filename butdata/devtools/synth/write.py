"""Writing a synthetic store: the frames bulk-inserted into a fresh file beside the target,
marked synthetic in ``meta``, then moved over the target."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from butdata.devtools.synth.frames import generate
from butdata.devtools.synth.shape import source_name
from butdata.store.lock import temporary_path, write_lock
from butdata.store.schema import SCHEMA, SCHEMA_VERSION, write_counts


@dataclass
class SynthReport:
    db_path: Path
    source: str
    rows: dict[str, int]
    seconds: float

    @property
    def cells(self) -> int:
        """Stored coefficient values (the "cells" of the tables)."""
        return self.rows.get("t_coefficients", 0)


def write_synthetic_store(db_path: Path, scale: int, seed: int = 42) -> SynthReport:
    """Generate and atomically write a synthetic store at ``db_path``."""
    start = time.perf_counter()
    db_path = Path(db_path)
    frames = generate(scale, seed)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(db_path)
    source = source_name(scale, seed)
    with write_lock(db_path):  # the same lock as every build of the store
        _write_frames(frames, tmp, db_path, scale, seed)
    return SynthReport(
        db_path, source, {k: v.height for k, v in frames.items()}, time.perf_counter() - start
    )


def _write_frames(
    frames: dict[str, pl.DataFrame], tmp: Path, db_path: Path, scale: int, seed: int
) -> None:
    try:
        con = duckdb.connect(str(tmp))
        try:
            con.execute(SCHEMA)
            for name, frame in frames.items():
                con.register("frame", frame.to_arrow())
                con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM frame")  # name: fixed list
                con.unregister("frame")
            write_counts(con)
            con.execute(
                "INSERT INTO meta VALUES ('schema_version', ?), ('fingerprint', ?), "
                "('sources_dir', 'synthetic'), ('built_at', ?), ('synthetic', 'true'), "
                "('synth_scale', ?), ('synth_seed', ?)",
                [
                    SCHEMA_VERSION,
                    f"synthetic:{scale}:{seed}",
                    time.strftime("%Y-%m-%dT%H:%M:%S"),
                    str(scale),
                    str(seed),
                ],
            )
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, db_path)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
