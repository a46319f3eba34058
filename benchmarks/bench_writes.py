"""The write path's limits (README « Passer à l'échelle », « Fiabilité »): build time against
store size, how long a writer waits for the lock, what readers see during rebuilds, and the
hostile 300 000-row XLSX (time and memory of the process that reads it).

    .venv/bin/python benchmarks/bench_writes.py [--json FILE] [--scales 1,3,8]

Everything runs in a temporary directory; each figure is measured here, never estimated.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, SOURCES, Workdir

sys.path.insert(0, str(ROOT / "tests"))

from xlsx_forge import HEADER, hostile_rows, write_xlsx

# Large exports go past the upload caps on purpose: an operator raises them for a build.
BIG = {
    "BUTDATA_MAX_ROWS": str(10**7),
    "BUTDATA_MAX_CELLS": str(10**9),
    "BUTDATA_MAX_FILE_BYTES": str(10**10),
}


def build_scaling(work: Path, scales: list[int]) -> list[dict]:
    """Build a store from the two real documents, then from the export of synthetic stores of
    growing size (one template CSV, read by ``build`` like any source)."""
    from butdata.devtools.synth import write_synthetic_store
    from butdata.exports.tidy import csv_bytes
    from butdata.store import build_store, open_store

    out = []
    db = work / "real.duckdb"
    times = [build_store(SOURCES, db).seconds for _ in range(3)]
    out.append(
        {
            "what": "2 documents réels",
            "rows": None,
            "store_mib": round(db.stat().st_size / 2**20, 1),
            "build_s": round(statistics.median(times), 2),
        }
    )
    os.environ.update(BIG)
    try:
        for scale in scales:
            synth = work / f"synth{scale}.duckdb"
            write_synthetic_store(synth, scale, 42)
            con = open_store(synth)
            data = csv_bytes(con)
            con.close()
            src = work / f"src{scale}"
            src.mkdir()
            (src / "export.csv").write_bytes(data)
            db = work / f"from{scale}.duckdb"
            report = build_store(src, db)
            out.append(
                {
                    "what": f"export synthétique, échelle {scale}",
                    "rows": data.count(b"\n") - 1,
                    "store_mib": round(db.stat().st_size / 2**20, 1),
                    "build_s": round(report.seconds, 2),
                }
            )
    finally:
        for k in BIG:
            os.environ.pop(k, None)
    return out


CHILD_IMPORT = """
import sys, time
from pathlib import Path
from butdata.store import imports as imp
name, content, db, sources, start_at = sys.argv[1:6]
while time.time() < float(start_at):
    time.sleep(0.001)
t = time.perf_counter()
preview, report = imp.apply_import(name, Path(content).read_bytes(), Path(db), Path(sources))
print(report.lock_wait, time.perf_counter() - t)
"""


def template(parcours: str) -> bytes:
    return (
        "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
        f"QLIO,1,{parcours},UE11,R1.01,Anglais,2\nQLIO,1,{parcours},UE12,SAE1.01,Projet,3\n"
    ).encode()


def lock_waits(work: Path, n: int) -> dict:
    """``n`` processes import at the same instant into the store of the two real documents."""
    from butdata.store import build_store

    src = work / f"lock{n}"
    shutil.copytree(SOURCES, src)
    db = work / f"lock{n}.duckdb"
    build_store(src, db)
    start_at = time.time() + 3
    procs = []
    for i in range(n):
        content = work / f"up{n}-{i}.csv"
        content.write_bytes(template(f"P{i}"))
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", CHILD_IMPORT, f"f{i}.csv", str(content), str(db), str(src)]
                + [str(start_at)],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                text=True,
            )
        )
    rows = [tuple(map(float, p.communicate()[0].split())) for p in procs]
    waits = sorted(w for w, _ in rows)
    return {
        "imports": n,
        "waits_s": [round(w, 2) for w in waits],
        "total_s": round(max(t for _, t in rows), 2),
    }


READER = """
import sys, time, json
from pathlib import Path
from butdata.store import open_store
db, seconds = Path(sys.argv[1]), float(sys.argv[2])
lat, errors, end = [], [], time.time() + seconds
while time.time() < end:
    t = time.perf_counter()
    try:
        con = open_store(db)
        con.execute("SELECT count(*), sum(coefficient) FROM coefficients").fetchall()
        con.close()
    except Exception as exc:
        errors.append(type(exc).__name__)
    lat.append(time.perf_counter() - t)
print(json.dumps({"lat": lat, "errors": errors}))
"""


def readers_during_rebuilds(work: Path, seconds: float = 8.0) -> dict:
    """A reader process opens the store and queries it in a loop while another process
    rebuilds it again and again (each open runs the integrity check on a new file)."""
    from butdata.store import build_store

    db = work / "live.duckdb"
    build_store(SOURCES, db)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(db), str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)
    builds = 0
    end = time.time() + seconds - 2
    while time.time() < end:
        build_store(SOURCES, db)
        builds += 1
    out = json.loads(reader.communicate()[0])
    lat = sorted(out["lat"])
    return {
        "rebuilds": builds,
        "reads": len(lat),
        "errors": len(out["errors"]),
        "read_ms_median": round(statistics.median(lat) * 1000, 1),
        "read_ms_max": round(lat[-1] * 1000, 1),
    }


MEASURE = """
import json, sys, time

def peak_mib():
    # VmHWM: peak resident memory of this program (ru_maxrss would include the parent's,
    # inherited through fork and kept across exec)
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
from pathlib import Path
from butdata.readers import spreadsheet
start = time.perf_counter()
try:
    spreadsheet.load(Path(sys.argv[1]), imported=True)
    outcome = "lu"
except Exception as exc:
    outcome = str(exc)[:120]
print(json.dumps({"seconds": round(time.perf_counter() - start, 2),
                  "rss_mib": round(peak_mib()),
                  "outcome": outcome}))
"""


def hostile_xlsx(work: Path) -> list[dict]:
    files = {
        "300 000 lignes, sans références (190 Ko)": (
            write_xlsx(work / "a.xlsx", hostile_rows(300_000), refs=False, compresslevel=9),
            {},
        ),
        "300 000 lignes, garde d'archive levée": (
            write_xlsx(work / "b.xlsx", hostile_rows(300_000)),
            {"BUTDATA_MAX_UNZIPPED_BYTES": str(10**9), "BUTDATA_MAX_ZIP_RATIO": "10000"},
        ),
        "300 000 lignes, tous plafonds levés (lu en entier)": (
            work / "b.xlsx",
            {**BIG, "BUTDATA_MAX_UNZIPPED_BYTES": str(10**9), "BUTDATA_MAX_ZIP_RATIO": "10000"},
        ),
    }

    def worst():
        yield HEADER + [f"note{j}" for j in range(7)]
        for i in range(200_000 // 12 - 1):
            yield ["QLIO", 1, "UE11", f"R1.{i:05d}", 1] + [
                f"remarque {j}, ligne {i}" for j in range(7)
            ]

    files["pire fichier admis (200 000 cellules de texte)"] = (
        write_xlsx(work / "c.xlsx", worst()),
        {},
    )
    out = []
    for what, (path, env) in files.items():
        done = subprocess.run(
            [sys.executable, "-c", MEASURE, str(path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=600,
        )
        out.append({"what": what, "bytes": path.stat().st_size, **json.loads(done.stdout)})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--json", type=Path)
    parser.add_argument("--scales", default="1,3,8")
    args = parser.parse_args()
    with Workdir() as work:
        results = {
            "cpus": len(os.sched_getaffinity(0)),
            "build": build_scaling(work, [int(s) for s in args.scales.split(",")]),
            "lock": [lock_waits(work, n) for n in (2, 4, 8)],
            "readers": readers_during_rebuilds(work),
            "hostile_xlsx": hostile_xlsx(work),
        }
    print(json.dumps(results, ensure_ascii=False, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
