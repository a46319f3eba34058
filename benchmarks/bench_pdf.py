"""Reading an MCC PDF into tables, against pdfplumber's bare character extraction of the same
pages (issue « Performance v2 »: ``pdf_read_ratio`` ≤ 2).

Both sides open the file afresh and go through every page: the floor takes ``page.chars`` (what
any reading of the text costs: pdfminer interprets the page), the reader builds the whole
Document (tables, cells, headings, checks). Repetitions alternate floor / reader
(``common.interleaved``); the ratio is the ratio of the medians. The PDF is the block layout
(``tests/pdf_fixtures.block_pages``: one semester per page, 5 competences, 12 ressources and
5 SAÉ, totals that hold), 60 pages by default.

    .venv/bin/python benchmarks/bench_pdf.py [--pages 60] [--repeat 7] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, interleaved, median_ms, ratio

sys.path.insert(0, str(ROOT / "tests"))


def bare_chars(path: Path) -> int:
    import pdfplumber

    n = 0
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            n += len(page.chars)
            page.close()
    return n


def measure(pages: int = 60, repeat: int = 7) -> dict:
    import pdf_fixtures

    from butdata.readers.pdf.document import read_pdf

    with tempfile.TemporaryDirectory(prefix="butdata-bench-pdf-") as tmp:
        path = Path(tmp) / "mcc_blocs.pdf"
        path.write_bytes(pdf_fixtures.block_pages(pages))
        doc = read_pdf(path)
        values = sum(len(t.coefficients) for t in doc.tables)
        times = interleaved(
            {"chars": lambda: bare_chars(path), "read": lambda: read_pdf(path)}, repeat
        )
    chars_ms, read_ms = median_ms(times["chars"]), median_ms(times["read"])
    return {
        "pdf_read_ratio": ratio(read_ms, chars_ms),
        "pdf_read_ms": read_ms,
        "pdf_chars_ms": chars_ms,
        "pdf_pages": pages,
        "pdf_tables": len(doc.tables),
        "pdf_complete": sum(t.status == "complete" for t in doc.tables),
        "pdf_values": values,
        "pdf_repeat": repeat,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Lecture d'un PDF de MCC / extraction nue")
    parser.add_argument("--pages", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    result = measure(args.pages, args.repeat)
    print(
        f"pdf_read_ratio = {result['pdf_read_ratio']} (lecture {result['pdf_read_ms']:.0f} ms / "
        f"caractères seuls {result['pdf_chars_ms']:.0f} ms, médianes de {args.repeat} ; "
        f"{result['pdf_pages']} pages, {result['pdf_tables']} tableaux, "
        f"{result['pdf_values']} coefficients)"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
