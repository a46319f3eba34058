"""Parser robustness: mutated real documents never crash the build and never yield a value that
is not printed on its stored source line (issue 7)."""

from __future__ import annotations

import math

import pytest
from conftest import MULTI, QLIO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from butdata.errors import SourceError
from butdata.readers import read_document

DOCS = {"qlio": QLIO.read_text(encoding="utf-8").splitlines()}
if MULTI.exists():
    DOCS["multi"] = MULTI.read_text(encoding="utf-8").splitlines()

NASTY = [
    "1e308",
    "nan",
    "-1",
    "inf",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "漢字テキスト",
    "٣٫٥",
    "\u202e",
    "Semestre 9 BUT XYZ",
    "UE99 - ",
    "Total des coefficients",
    "0,0,0",
    "999999999999999999999",
    "1,5 1,5 1,5 1,5 1,5 1,5 1,5 1,5",
]


@st.composite
def mutated(draw):
    name = draw(st.sampled_from(sorted(DOCS)))
    lines = list(DOCS[name])
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["truncate", "drop", "shuffle", "inject", "replace_token"]))
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        if op == "truncate":
            lines = lines[:i]
        elif op == "drop":
            del lines[i : i + draw(st.integers(1, 30))]
        elif op == "shuffle":
            j = min(len(lines), i + draw(st.integers(2, 40)))
            chunk = lines[i:j]
            lines[i:j] = draw(st.permutations(chunk))
        elif op == "inject":
            lines.insert(i, draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=40))))
        else:
            tokens = lines[i].split(" ")
            k = draw(st.integers(0, max(0, len(tokens) - 1)))
            tokens[k] = draw(st.sampled_from(NASTY))
            lines[i] = " ".join(tokens)
    return name, lines


def check_document(doc, lines):
    for table in doc.tables:
        assert table.status in {"complete", "partial", "empty"}
        for c in table.coefficients:
            assert 1 <= c.line <= len(lines)
            text = lines[c.line - 1].replace("\u00a0", " ")
            assert c.printed in text.split(), (c, text)
            assert math.isfinite(c.coefficient) and c.coefficient >= 0
            assert c.coefficient == float(c.printed.replace(",", "."))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_documents_never_crash_and_store_only_printed_values(tmp_path_factory, sample):
    name, lines = sample
    path = tmp_path_factory.mktemp("mut") / f"{name}_mutated.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    # injected text may hold line breaks: compare with the file as the reader numbers it
    lines = [line.rstrip("\r") for line in path.read_bytes().decode("utf-8").split("\n")]
    try:
        doc = read_document(path)
    except SourceError as exc:
        assert exc.source == path.name  # a clear error naming the file
        return
    check_document(doc, lines)


def test_unmutated_documents_store_only_printed_values():
    for name, lines in DOCS.items():
        path = QLIO if name == "qlio" else MULTI
        check_document(read_document(path), lines)


def test_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "vide.txt"
    path.write_text("", encoding="utf-8")
    with pytest.raises(SourceError) as err:
        read_document(path)
    assert err.value.source == "vide.txt"
