"""Store -> tidy template (CSV, XLSX; the XLSX adds the wide module × UE sheet of each table).

The tidy rows carry every column of the ``tables``, ``ues`` and ``coefficients`` views, so that
building a store from an export alone gives the same rows (see ``butdata.tidy.template`` for the row
kinds). Numbers are written in their shortest exact form (``repr``), the printed text of each
coefficient in ``printed``: nothing is rounded.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from butdata.analysis.wide import SHARE_ROW, wide_table
from butdata.cellsafe import neutralise
from butdata.errors import ButdataError, os_error
from butdata.labels import table_label
from butdata.store.read import records
from butdata.text import decimals
from butdata.tidy.columns import CELL_COLUMNS, COLUMNS, NAMES_ORDER

Rec = dict[str, Any]  # a row of a view, column name -> value

# View column -> template column where the names differ.
TABLE_COLUMNS = {
    "table_id": "table_id",
    "source": "source",
    "source_line": "table_line",
    "formation": "formation",
    "formation_name": "formation_name",
    "site": "site",
    "semester": "semester",
    "parcours": "parcours",
    "alternance": "alternance",
    "status": "status",
    "title": "title",
    "layout": "layout",
    "identity_inferred": "identity_inferred",
    "year": "year",
    "declared_total": "declared_total",
    "declared_ects": "declared_ects",
    "declared_aop": "declared_aop",
    "totals_line": "totals_line",
    "declared_source": "declared_source",
}
UE_COLUMNS = {
    "ue": "ue",
    "competence": "competence",
    "name": "ue_name",
    "level": "level",
    "ects": "ects",
    "total": "ue_total",
    "sae_share": "sae_share",
    "sae_share_printed": "sae_share_printed",
    "aop_total": "aop_total",
    "source_line": "ue_line",
    "ects_line": "ects_line",
    "total_line": "total_line",
    "sum_ok": "sum_ok",
    "ratio_ok": "ratio_ok",
    "row_layout": "row_layout",
}


def select_tables(
    con: duckdb.DuckDBPyConnection,
    formations: list[str] | None = None,
    table_ids: list[str] | None = None,
) -> list[Rec]:
    """Table rows in document order, filtered by formation acronyms and/or ids."""
    tables = records(
        con,
        "SELECT * FROM tables WHERE (? IS NULL OR list_contains(?, formation)) "
        "AND (? IS NULL OR list_contains(?, table_id)) ORDER BY source, ord",
        [formations, formations, table_ids, table_ids],
    )
    if formations:
        known = {
            r[0]
            for r in con.cursor()
            .execute("SELECT DISTINCT formation FROM tables WHERE formation IS NOT NULL")
            .fetchall()
        }
        unknown = [f for f in formations if f not in known]
        if unknown:
            raise ButdataError(
                f"formation absente de la base : {', '.join(unknown)} "
                f"(présentes : {', '.join(sorted(known))})"
            )
    return tables


def tidy_rows(
    con: duckdb.DuckDBPyConnection,
    formations: list[str] | None = None,
    table_ids: list[str] | None = None,
) -> list[dict[str, Any]]:
    """The template rows (machine column names) of the selected tables."""
    tables = select_tables(con, formations, table_ids)
    ids = [t["table_id"] for t in tables]
    ues: dict[str, list[Rec]] = {}
    coefs: dict[str, list[Rec]] = {}
    modules: dict[str, list[Rec]] = {}
    for u in records(
        con, "SELECT * FROM ues WHERE list_contains(?, table_id) ORDER BY table_id, ord", [ids]
    ):
        ues.setdefault(u["table_id"], []).append(u)
    for c in records(
        con,
        "SELECT * FROM coefficients WHERE list_contains(?, table_id) "
        "ORDER BY table_id, competence, position, source_line",
        [ids],
    ):
        coefs.setdefault(c["table_id"], []).append(c)
    for m in records(
        con,
        "SELECT * FROM modules WHERE list_contains(?, table_id) "
        "ORDER BY table_id, position, source_line",
        [ids],
    ):
        modules.setdefault(m["table_id"], []).append(m)
    rows: list[dict[str, Any]] = []
    for t in tables:
        rows.extend(
            _table_rows(
                t,
                ues.get(t["table_id"], []),
                coefs.get(t["table_id"], []),
                modules.get(t["table_id"], []),
            )
        )
    return rows


def _module_fields(m: Rec) -> dict[str, Any]:
    return dict(
        module_code=m["module_code"],
        module_name=m["module_name"],
        kind=m["kind"],
        position=m["position"],
        semester_coefficient=m["semester_coefficient"],
        section=m["section"],
        source_line=m["source_line"],
    )


def _derivable(t: Rec, ues: list[Rec], coefs: list[Rec], modules: list[Rec]) -> bool:
    """Whether the value rows (plus zero rows) reproduce the module list exactly."""
    if t["layout"] == "grid" or (modules and not ues):
        return False
    by_position: dict[int, Rec] = {}
    for m in modules:
        if m["position"] in by_position:
            return False
        by_position[m["position"]] = m
    for c in coefs:
        if c["module_code"] is None and c["module_name"] is None:
            continue
        found = by_position.get(c["position"])
        if found is None or (
            found["module_code"],
            found["module_name"],
            found["kind"],
            found["source_line"],
        ) != (
            c["module_code"],
            c["module_name"],
            c["kind"],
            c["source_line"],
        ):
            return False
    return True


def _table_rows(t: Rec, ues: list[Rec], coefs: list[Rec], modules: list[Rec]) -> list[Rec]:
    base = {NAMES_ORDER_KEY: None for NAMES_ORDER_KEY in NAMES_ORDER}
    base.update({dst: t[src] for src, dst in TABLE_COLUMNS.items()})
    ue_fields = {u["competence"]: {dst: u[src] for src, dst in UE_COLUMNS.items()} for u in ues}
    derivable = _derivable(t, ues, coefs, modules)
    by_position = {m["position"]: m for m in modules}
    rows = []
    for u in ues:
        mine = [c for c in coefs if c["competence"] == u["competence"]]
        if not mine:
            rows.append({**base, **ue_fields[u["competence"]]})
        for c in mine:
            row = {
                **base,
                **ue_fields[u["competence"]],
                "module_code": c["module_code"],
                "module_name": c["module_name"],
                "kind": c["kind"],
                "position": c["position"],
                "coefficient": c["coefficient"],
                "printed": c["printed"],
                "source_line": c["source_line"],
                "grid_column": c.get("grid_column"),
                **{name: c.get(name) for name in CELL_COLUMNS},
            }
            m = by_position.get(c["position"])
            if derivable and m is not None and (c["module_code"], c["module_name"]) != (None, None):
                row.update(semester_coefficient=m["semester_coefficient"], section=m["section"])
            rows.append(row)
    if derivable:
        covered = {
            c["position"] for c in coefs if (c["module_code"], c["module_name"]) != (None, None)
        }
        for m in modules:
            if m["position"] not in covered:  # a module without non-zero coefficient
                rows.append(
                    {
                        **base,
                        **ue_fields[ues[0]["competence"]],
                        **_module_fields(m),
                        "coefficient": 0.0,
                    }
                )
    else:
        rows.extend({**base, **_module_fields(m)} for m in modules)
    if not rows:
        rows.append(dict(base))  # a table without UE (a title alone)
    return rows


# -- writing ---------------------------------------------------------------------------------


def text_of(value: Any) -> str:
    """A cell's exact text: shortest form of a float, true/false, empty for NULL."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return str(value)


def write_csv(rows: list[Rec], out: Path | io.StringIO | None = None) -> str:
    """The tidy CSV (machine column names, ``,`` separator, UTF-8); returned as text too. Cells
    a spreadsheet would run as formulas are neutralised (``cellsafe``; the reader undoes it)."""
    buffer = io.StringIO(newline="")
    # CRLF (RFC 4180): the csv module then also quotes a value holding a bare carriage return,
    # which "\n" alone leaves unquoted (the row would split in two on reading)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(NAMES_ORDER)
    for row in rows:
        writer.writerow([neutralise(text_of(row.get(name))) for name in NAMES_ORDER])
    text = buffer.getvalue()
    if isinstance(out, (str, Path)):
        Path(out).write_text(text, encoding="utf-8")
    return text


def csv_bytes(
    con: duckdb.DuckDBPyConnection,
    formations: list[str] | None = None,
    table_ids: list[str] | None = None,
) -> bytes:
    return write_csv(tidy_rows(con, formations, table_ids)).encode("utf-8")


def tidy_frame(rows: list[Rec]) -> pl.DataFrame:
    """The tidy rows as a frame (for display): French labels as column names."""
    labels = {c.name: c.label for c in COLUMNS}
    return pl.DataFrame(
        [{labels[n]: r.get(n) for n in NAMES_ORDER} for r in rows],
        schema={labels[c.name]: _DTYPES[c.type] for c in COLUMNS},
    )


_DTYPES = {"text": pl.String, "int": pl.Int64, "float": pl.Float64, "bool": pl.Boolean}


# -- XLSX ------------------------------------------------------------------------------------


def write_xlsx(
    con: duckdb.DuckDBPyConnection,
    out: Path | io.BytesIO,
    formations: list[str] | None = None,
    table_ids: list[str] | None = None,
) -> int:
    """Tidy sheet « Modèle » (French headers) + « Colonnes » + one wide sheet per table.
    Returns the number of tidy rows."""
    import xlsxwriter

    rows = tidy_rows(con, formations, table_ids)
    tables = select_tables(con, formations, table_ids)
    book = xlsxwriter.Workbook(
        str(out) if isinstance(out, Path) else out,
        {
            "in_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    bold = book.add_format({"bold": True})
    title_fmt = book.add_format({"bold": True, "font_size": 13})
    try:
        sheet = book.add_worksheet("Modèle")
        for j, c in enumerate(COLUMNS):
            sheet.write_string(0, j, c.label, bold)
        for i, row in enumerate(rows, start=1):
            for j, name in enumerate(NAMES_ORDER):
                _write_exact(sheet, i, j, row.get(name))
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, len(rows), len(COLUMNS) - 1)

        doc = book.add_worksheet("Colonnes")
        for j, head in enumerate(("Colonne", "Nom machine (CSV)", "Description")):
            doc.write_string(0, j, head, bold)
        for i, c in enumerate(COLUMNS, start=1):
            doc.write_row(i, 0, [c.label, c.name, c.help])
        doc.set_column(0, 1, 28)
        doc.set_column(2, 2, 80)

        formats: dict[int | str, Any] = {}  # decimals -> format; "percent"
        for n, t in enumerate(tables, start=1):
            wide = wide_table(con, t["table_id"])
            ws = book.add_worksheet(_sheet_name(n, t))
            ws.write_string(
                0, 0, t["title"] or table_label(t, formation=True, document=False), title_fmt
            )
            ws.write_string(
                1,
                0,
                f"{table_label(t, formation=True, document=False)} · {t['table_id']} · source : {t['source']}"
                f" (ligne {t['source_line']}) · statut : {t['status']}",
            )
            ws.write_row(3, 0, wide.headers, bold)
            r = 4
            for values, printed in zip(wide.rows, wide.printed):
                _write_wide_row(ws, r, values, printed, book, formats)
                r += 1
            for values in wide.footer:
                _write_wide_row(ws, r, values, [None] * len(wide.ues), book, formats, bold)
                r += 1
            if wide.note:
                ws.write_string(r + 1, 0, wide.note)
            ws.set_column(0, 0, 14)
            ws.set_column(1, 1, 48)
            ws.set_column(2, 3, 12)
            ws.freeze_panes(4, 2)
    finally:
        book.close()
    return len(rows)


def xlsx_bytes(
    con: duckdb.DuckDBPyConnection,
    formations: list[str] | None = None,
    table_ids: list[str] | None = None,
) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(con, buffer, formations, table_ids)
    return buffer.getvalue()


def _write_exact(sheet: Any, i: int, j: int, value: Any) -> None:
    """Numbers as numbers when Excel keeps them exactly (it writes 16 significant digits),
    else as their exact text (read back the same)."""
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(i, j, value)
    elif isinstance(value, (int, float)):
        if float(f"{value:.16G}") == value:
            sheet.write_number(i, j, value)
        else:
            sheet.write_string(i, j, repr(value))
    else:
        sheet.write_string(i, j, str(value))


def _write_wide_row(
    ws: Any,
    r: int,
    values: list[Any],
    printed: list[Any],
    book: Any,
    formats: dict[int | str, Any],
    bold: Any = None,
) -> None:
    for j, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, str):
            ws.write_string(r, j, v, bold)
            continue
        if values[0] == SHARE_ROW:  # the SAÉ share: a percentage in Excel too (41,25 %)
            if "percent" not in formats:
                formats["percent"] = book.add_format({"num_format": "0.00%"})
            ws.write_number(r, j, v, formats["percent"])
            continue
        p = printed[j - 4] if j >= 4 and j - 4 < len(printed) else None
        places = decimals(p) if p else (2 if not float(v).is_integer() else 0)
        if places not in formats:
            formats[places] = book.add_format(
                {"num_format": "0." + "0" * places if places else "0"}
            )
        ws.write_number(r, j, v, formats[places])


def _sheet_name(n: int, t: Rec) -> str:
    label = table_label(t, formation=True, document=False)
    for ch in "[]:*?/\\":
        label = label.replace(ch, " ")
    return f"{n} {label}"[:31]


def export(con: duckdb.DuckDBPyConnection, out: Path, formations: list[str] | None = None) -> int:
    """Write ``out`` (.csv or .xlsx); returns the number of tidy rows."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ButdataError(f"format de sortie non reconnu : {out.name} (.csv ou .xlsx attendu)")
    if suffix == ".csv":
        rows = tidy_rows(con, formations)
        data, n = write_csv(rows).encode("utf-8"), len(rows)
    else:
        buffer = io.BytesIO()
        n = write_xlsx(con, buffer, formations, None)
        data = buffer.getvalue()
    try:  # the file is written once complete: a refused write names it, in French
        out.write_bytes(data)
    except OSError as exc:
        raise os_error(exc, out) from None
    return n
