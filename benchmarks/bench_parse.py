"""Parsing time of the source documents (text to Document objects, no DuckDB).

``measure(repeat=...)`` parses each document ``repeat`` times and returns, per document, the best
and median times in seconds, plus the total of the best times. Run as a script to print them:

    .venv/bin/python benchmarks/bench_parse.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from butdata.readers import read_document, source_files  # noqa: E402

SOURCES = ROOT / "data" / "sources"


def measure(repeat: int = 20, sources_dir: Path = SOURCES) -> dict:
    """{"documents": {name: {"best_s", "median_s", "tables"}}, "total_best_s": float}."""
    documents = {}
    for path in source_files(sources_dir):
        times, doc = [], None
        for _ in range(max(1, repeat)):
            start = time.perf_counter()
            doc = read_document(path)
            times.append(time.perf_counter() - start)
        documents[path.name] = {
            "best_s": min(times),
            "median_s": statistics.median(times),
            "tables": len(doc.tables),
        }
    return {
        "documents": documents,
        "total_best_s": sum(d["best_s"] for d in documents.values()),
        "repeat": repeat,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Temps d'analyse des documents sources")
    parser.add_argument("--repeat", type=int, default=20)
    result = measure(parser.parse_args().repeat)
    for name, d in result["documents"].items():
        print(
            f"{name}: meilleur {d['best_s'] * 1000:.1f} ms, médiane {d['median_s'] * 1000:.1f} ms "
            f"({d['tables']} tableaux)"
        )
    print(
        f"total (meilleurs temps) : {result['total_best_s'] * 1000:.1f} ms "
        f"sur {result['repeat']} répétitions"
    )


if __name__ == "__main__":
    main()
