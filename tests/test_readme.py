"""The README describes the code truthfully: its tables of the public views and of the template
columns name exactly the columns the code has (and their French labels), its commands table
lists every command, and its code walk-through names modules that exist."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from butdata.cli.main import COMMANDS
from butdata.store.schema import SCHEMA
from butdata.tidy.columns import COLUMNS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _table_after(header: str) -> list[list[str]]:
    """The rows (cells) of the markdown table whose header line starts with ``header``."""
    lines = README.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows


def _codes(text: str) -> list[str]:
    return re.findall(r"`([a-z_0-9]+)`", text)


def test_template_columns_table_matches_the_code():
    rows = _table_after("| colonne | libellé | contenu |")
    documented: list[str] = []
    labels = {c.name: c.label for c in COLUMNS}
    for cells in rows:
        names = _codes(cells[0])
        documented += names
        # the first label of a row is written in full: it is the code's label
        assert cells[1].split(", ")[0] == labels[names[0]], (names[0], cells[1])
    assert sorted(documented) == sorted(labels)


def test_views_table_names_every_public_view_and_column():
    con = duckdb.connect()
    con.execute(SCHEMA)
    rows = {cells[0].strip("`"): cells[2] for cells in _table_after("| vue | une ligne par |")}
    views = {
        r[0]
        for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()
    }
    assert set(rows) == views
    for view, text in rows.items():
        cur = con.execute(f"SELECT * FROM {view} LIMIT 0")  # view: a name from the catalog
        columns = {d[0] for d in cur.description}
        documented = set(_codes(text))
        # every column of the view is documented; ``ord`` (order in the file) is internal
        missing = columns - documented - {"ord"}
        assert not missing, (view, sorted(missing))


def test_commands_table_lists_every_command():
    documented = set(re.findall(r"`python -m butdata ([a-z]+)", README))
    assert set(COMMANDS) <= documented, set(COMMANDS) - documented


def test_walk_through_names_existing_modules():
    part = README.split("## Organisation du code", 1)[1].split("\n## ", 1)[0]
    paths = re.findall(r"`(butdata/[a-z_/]+(?:\.py)?)`", part)
    assert len(paths) >= 6
    for p in paths:
        assert (ROOT / p).exists() or (ROOT / f"{p}.py").exists(), p
