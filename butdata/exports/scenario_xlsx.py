"""The council's workbook of a scenario (XLSX):

- « Proposition » (« Proposition S3 », « Proposition S4 » for a year): each proposed table in
  the layout of the MCC, as the XLSX draft reader reads it back (title « Semestre 3 BUT QLIO
  QMI », the year, a header row Code · Module · Type · Coeff. semestre · « UE31 - name »…, one
  module per row, then « Total des coefficients » and « Crédits ECTS »): importing this sheet
  on the Données page, or putting the file among the sources, gives the same table;
- « Origine / proposition »: for each UE the origin's value beside the proposal's, changed cells
  highlighted, the totals, ECTS and SAÉ shares before / after;
- « Conformité »: the findings on the proposal (errors first) and the settings used;
- « Scénario »: name, author, dates, version, note, origin and the change list.

Numbers are written as numbers with the decimals they have (1,5 stays 1,5; 1,80 shows 1,80);
text cells are never formulas."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from butdata import fmt
from butdata.analysis.conformity import Finding, check_frames
from butdata.analysis.conformity_report import findings_table, settings_table, summary
from butdata.analysis.conformity_rules import DEFAULT_SETTINGS, ConformitySettings
from butdata.scenarios.proposal import decimals
from butdata.scenarios.scenario import Scenario
from butdata.scenarios.tables import (
    CODE,
    ECTS_ROW,
    KIND,
    MODULE,
    SEMESTER,
    SHARE_ROW,
    TOTAL_ROW,
    MccTable,
    changes_frame,
    mcc_table,
    module_change,
)
from butdata.vocab import KIND_LABELS

CHANGED_FILL = "#ffe08a"
HEADER_ROW = 3  # 0-based row of the header in « Proposition »


class _Book:
    """An xlsxwriter workbook with the formats this export uses."""

    def __init__(self, out: io.BytesIO) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(
            out,
            {
                "in_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.bold = self.book.add_format({"bold": True})
        self.title = self.book.add_format({"bold": True, "font_size": 13})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.percent = self.book.add_format({"num_format": "0.00%"})
        self._numbers: dict[tuple[int, bool, bool], Any] = {}

    def number(self, places: int, changed: bool = False, bold: bool = False) -> Any:
        key = (places, changed, bold)
        if key not in self._numbers:
            spec: dict[str, Any] = {"num_format": "0." + "0" * places if places else "0"}
            if changed:
                spec |= {"bg_color": CHANGED_FILL, "bold": True}
            if bold:
                spec["bold"] = True
            self._numbers[key] = self.book.add_format(spec)
        return self._numbers[key]

    def changed_text(self) -> Any:
        return self.book.add_format({"bg_color": CHANGED_FILL, "bold": True})


def _write_value(ws: Any, book: _Book, r: int, c: int, value: Decimal | None, **kw: Any) -> None:
    if value is None:
        return
    ws.write_number(r, c, float(value), book.number(decimals(value), **kw))


def _sheet_names(tables: Sequence[MccTable]) -> list[str]:
    if len(tables) == 1:
        return ["Proposition"]
    return [
        f"Proposition S{t.semester}" if t.semester else f"Proposition {i}"
        for i, t in enumerate(tables, start=1)
    ]


def _proposal_sheet(book: _Book, name: str, t: MccTable, scenario: Scenario) -> None:
    ws = book.book.add_worksheet(name)
    ws.write_string(0, 0, t.title, book.title)
    if t.year:
        ws.write_string(1, 0, t.year)
    ws.write_string(
        2,
        0,
        f"Scénario « {scenario.name} » (version {scenario.version}) — proposition à partir de "
        f"{t.table_id}",
    )
    header = [
        CODE,
        MODULE,
        SEMESTER,
        *(f"{u} - {n}" if n else u for u, n in zip(t.ues, t.ue_names)),
        KIND,
    ]
    for c, h in enumerate(header):
        ws.write_string(HEADER_ROW, c, h, book.bold)
    first_ue, kind_col = 3, 3 + len(t.ues)
    r = HEADER_ROW + 1
    for row in t.rows:
        ws.write_string(r, 0, row.code)
        if row.name:
            ws.write_string(r, 1, row.name)
        _write_value(ws, book, r, 2, row.total)
        for j, v in enumerate(row.cells):
            if v != 0:
                _write_value(ws, book, r, first_ue + j, v)
        ws.write_string(r, kind_col, KIND_LABELS[row.kind])
        r += 1
    ws.write_string(r, 0, TOTAL_ROW, book.bold)
    _write_value(ws, book, r, 2, t.total, bold=True)
    for j, v in enumerate(t.totals):
        _write_value(ws, book, r, first_ue + j, v, bold=True)
    r += 1
    ws.write_string(r, 0, ECTS_ROW, book.bold)
    _write_value(ws, book, r, 2, t.ects_total, bold=True)
    for j, e in enumerate(t.ects):
        _write_value(ws, book, r, first_ue + j, e, bold=True)
    r += 1
    ws.write_string(r, 0, SHARE_ROW, book.bold)
    for j, s in enumerate(t.shares):
        if s is not None:
            ws.write_number(r, first_ue + j, s, book.percent)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 48)
    ws.set_column(2, kind_col, 12)
    ws.freeze_panes(HEADER_ROW + 1, 2)


def _comparison_sheet(book: _Book, scenario: Scenario) -> None:
    ws = book.book.add_worksheet("Origine - proposition")
    ws.write_string(0, 0, f"Scénario « {scenario.name} » : origine et proposition", book.title)
    ws.write_string(
        1, 0, "Cellules surlignées : valeurs modifiées par le scénario (origine → proposition)."
    )
    changed_text = book.changed_text()
    r = 3
    before_all, after_all = scenario.base, scenario.proposal
    for tid in after_all.table_ids:
        before, after = mcc_table(before_all, tid), mcc_table(after_all, tid)
        ws.write_string(r, 0, f"{after.title} ({tid})", book.bold)
        r += 1
        head = [CODE, MODULE, KIND]
        for u in after.ues:
            head += [f"{u} (origine)", f"{u} (proposition)"]
        head.append("Modification")
        for c, h in enumerate(head):
            ws.write_string(r, c, h, book.bold)
        r += 1
        old = {m.key: m for m in before.rows}
        new = {m.key: m for m in after.rows}
        keys = [m.key for m in after.rows] + [k for k in old if k not in new]
        for key in keys:
            a, b = old.get(key), new.get(key)
            m = b or a
            assert m is not None
            ws.write_string(r, 0, m.code)
            if m.name:
                ws.write_string(r, 1, m.name)
            ws.write_string(r, 2, KIND_LABELS[m.kind])
            what = module_change(a, b)
            for j in range(len(after.ues)):
                v0 = a.cells[j] if a else Decimal(0)
                v1 = b.cells[j] if b else Decimal(0)
                changed = v0 != v1
                c = 3 + 2 * j
                if v0:
                    _write_value(ws, book, r, c, v0)
                if v1 or changed:
                    _write_value(ws, book, r, c + 1, v1, changed=changed)
                if changed and "coefficients modifiés" not in what and a and b:
                    what.append("coefficients modifiés")
            if what:
                ws.write_string(r, 3 + 2 * len(after.ues), ", ".join(what), changed_text)
            r += 1
        rows_of: tuple[tuple[str, Sequence[Decimal | None], Sequence[Decimal | None]], ...] = (
            (TOTAL_ROW, before.totals, after.totals),
            (ECTS_ROW, before.ects, after.ects),
        )
        for label, olds, news in rows_of:
            ws.write_string(r, 0, label, book.bold)
            for j in range(len(after.ues)):
                was, now = olds[j], news[j]
                _write_value(ws, book, r, 3 + 2 * j, was, bold=True)
                _write_value(ws, book, r, 4 + 2 * j, now, changed=was != now, bold=True)
            r += 1
        ws.write_string(r, 0, SHARE_ROW, book.bold)
        for j in range(len(after.ues)):
            s0, s1 = before.shares[j], after.shares[j]
            if s0 is not None:
                ws.write_number(r, 3 + 2 * j, s0, book.percent)
            if s1 is not None:
                fmt_ = book.book.add_format({"num_format": "0.00%", "bg_color": CHANGED_FILL})
                ws.write_number(r, 4 + 2 * j, s1, fmt_ if s0 != s1 else book.percent)
        r += 3
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 44)
    ws.set_column(2, 40, 13)
    ws.freeze_panes(3, 2)


def _frame_sheet(book: _Book, name: str, title: str, frames: Sequence[tuple[str, Any]]) -> None:
    """Tables of text from column B: column A stays empty, so that no value of these sheets
    (a setting « HP », a scenario named « R3 … ») reads as a module row when the workbook is
    imported again (the draft reader looks for module codes in the first two columns)."""
    ws = book.book.add_worksheet(name)
    ws.write_string(0, 1, title, book.title)
    r = 2
    for caption, frame in frames:
        if caption:
            ws.write_string(r, 1, caption, book.bold)
            r += 1
        for c, h in enumerate(frame.columns, start=1):
            ws.write_string(r, c, str(h), book.bold)
        r += 1
        for row in frame.iter_rows():
            for c, v in enumerate(row, start=1):
                if v is None:
                    continue
                if isinstance(v, bool):
                    ws.write_string(r, c, "oui" if v else "non")
                elif isinstance(v, (int, float)):
                    ws.write_number(r, c, v)
                else:
                    ws.write_string(r, c, str(v), book.wrap)
            r += 1
        r += 1
    ws.set_column(0, 0, 2)
    ws.set_column(1, 5, 16)
    ws.set_column(6, 6, 90)


def council_xlsx(
    scenario: Scenario,
    settings: ConformitySettings = DEFAULT_SETTINGS,
    findings: Sequence[Finding] | None = None,
) -> bytes:
    """The council's workbook of ``scenario`` (conformity checked with ``settings`` unless the
    ``findings`` are given)."""
    import polars as pl

    found = check_frames(scenario.frames(), settings) if findings is None else list(findings)
    tables = [mcc_table(scenario.proposal, tid) for tid in scenario.proposal.table_ids]
    out = io.BytesIO()
    book = _Book(out)
    try:
        for name, t in zip(_sheet_names(tables), tables):
            _proposal_sheet(book, name, t, scenario)
        _comparison_sheet(book, scenario)
        findings_frame = findings_table(found).drop("fichier")
        _frame_sheet(
            book,
            "Conformité",
            f"Conformité de la proposition : {summary(found)}",
            [("Remarques", findings_frame), ("Réglages utilisés", settings_table(settings))],
        )
        info = pl.DataFrame(
            [
                ["Nom", scenario.name],
                ["Auteur", scenario.author or fmt.MISSING],
                ["Créé le", fmt.timestamp(scenario.created.astimezone())],
                ["Modifié le", fmt.timestamp(scenario.updated.astimezone())],
                ["Version", str(scenario.version)],
                ["Note", scenario.note or fmt.MISSING],
                ["Origine", ", ".join(scenario.origin)],
            ],
            schema={"": pl.String, "valeur": pl.String},
            orient="row",
        )
        _frame_sheet(
            book,
            "Scénario",
            f"Scénario « {scenario.name} »",
            [("", info), ("Modifications", changes_frame(scenario))],
        )
    finally:
        book.book.close()
    return out.getvalue()
