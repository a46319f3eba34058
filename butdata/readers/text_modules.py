"""Reader for the clean layout: one module per line (the QLIO document).

A table looks like::

     Semestre 3 BUT QLIO par alternance QMI
    2025-2026
    UE31 - Piloter l'entreprise par la qualité
    ...
    Coeff
    UE31                                  <- column headers give the UE column order
    R3.07 Outils statistiques ... 1.5 1.50 0.00 0.00 0.00
    ...
    Total des coefficients 30 8 8 8 6
    Crédits ECTS 30 8 8 8 6

Numbers are read from the right of a module line (names may end with numbers, e.g. "industrie 4.0").
Everything is kept as printed; mismatches and oddities become warnings, never silent fixes.
"""

from __future__ import annotations

import re
from collections import defaultdict

from butdata import fmt
from butdata.checks import close_module_table, set_printed_totals
from butdata.errors import SourceError
from butdata.formations import NAMES, acronym
from butdata.ids import assign_table_ids
from butdata.model import UE, Coefficient, Document, Issue, Module, Table
from butdata.text import is_number, normalize, parse_number, slug
from butdata.vocab import (
    SAE,
    coefficient_problem,
    competence_of,
    ects_problem,
    module_kind,
    sums_agree,
)

TITLE = re.compile(r"^Semestre\s+(\d)\s+BUT\s+(\S+)(?:\s+(.*))?$")
YEAR = re.compile(r"^(\d{4}-\d{4})$")
UE_LINE = re.compile(r"^(UE\s?\d\.?\d)\s+-\s+(.+)$")
UE_HEADER = re.compile(r"^(UE\s?\d\.?\d)$")
MODULE = re.compile(r"^(R\d\S*|SAE\d\S*|HP|H\.\S+)\s+(.*)$")
TOTAL = re.compile(r"^Total des coefficients\s+(.*)$")
ECTS = re.compile(r"^Crédits ECTS\s+(.*)$")


class _TableBuilder:
    def __init__(
        self, source: str, line: int, title: str, semester: int, formation: str, variant: str | None
    ):
        alternance = bool(variant and variant.lower().startswith("par alternance"))
        parcours = variant[len("par alternance") :].strip() if alternance and variant else variant
        acr = acronym(formation)
        self.table = Table(
            source=source,
            line=line,
            title=title,
            formation=acr or formation,
            formation_name=NAMES.get(acr or "", formation),
            site=None,
            semester=semester,
            parcours=parcours or None,
            alternance=alternance,
            layout="modules",
        )
        self.columns: list[str] = []  # UE codes in column order (from the "Coeff / UE31" headers)
        self.section: str | None = None
        self.bad_lines = 0
        self.totals: list[float] | None = None
        self.ects: list[float] | None = None

    def warn(self, line: int | None, code: str, message: str) -> None:
        self.table.issues.append(Issue(line, code, message))

    def add_module(self, line_no: int, code: str, rest: str) -> None:
        table = self.table
        n_cols = len(self.columns) or len(table.ues)
        tokens = rest.split(" ")
        n_numbers = 0
        while n_numbers < len(tokens) and is_number(tokens[-1 - n_numbers]):
            n_numbers += 1
        if n_cols == 0 or n_numbers < n_cols + 1:
            self.bad_lines += 1
            self.warn(
                line_no,
                "bad_module_line",
                f"ligne de module illisible ({n_numbers} nombres pour {n_cols} UE + semestre) : "
                "module ignoré",
            )
            return
        values = tokens[len(tokens) - n_cols - 1 :]
        name = " ".join(tokens[: len(tokens) - n_cols - 1]).strip()
        semester_coef = parse_number(values[0])
        kind = module_kind(code, name)
        position = len(table.modules) + 1
        table.modules.append(
            Module(code, name, kind, position, semester_coef, line_no, self.section)
        )
        ue_values = [parse_number(v) for v in values[1:]]
        for value in ue_values:
            if problem := coefficient_problem(value):
                raise SourceError(table.source, line_no, f"{code} : {problem}")
        for ue_code, printed, value in zip(self.columns, values[1:], ue_values):
            if value == 0:
                continue  # the store keeps non-zero coefficients; the module itself stays listed
            table.coefficients.append(
                Coefficient(
                    competence=competence_of(ue_code),
                    position=position,
                    coefficient=value,
                    printed=printed,
                    line=line_no,
                    module_code=code,
                    module_name=name,
                    kind=kind,
                )
            )
        if not sums_agree(sum(ue_values), semester_coef, 1):
            self.warn(
                line_no,
                "module_sum_mismatch",
                f"{code} : coefficient semestre {values[0]} ≠ somme des coefficients UE "
                f"{fmt.number(sum(ue_values), 2, trim=False)}",
            )

    def add_totals(self, line_no: int, rest: str, ects: bool) -> None:
        tokens = rest.split(" ")
        if not tokens or not all(is_number(t) for t in tokens):
            self.warn(line_no, "bad_totals_line", "ligne de totaux illisible")
            return
        values = [parse_number(t) for t in tokens]
        for value in values[1:] if ects else ():  # the ECTS of each UE (totals may exceed 100)
            if problem := ects_problem(value):
                raise SourceError(self.table.source, line_no, problem)
        n_cols = len(self.columns)
        if len(values) != n_cols + 1:
            self.warn(
                line_no,
                "bad_totals_line",
                f"{len(values)} nombres pour {n_cols} UE + semestre : totaux ignorés",
            )
            return
        set_printed_totals(
            self.table, dict(zip(self.columns, values[1:])), values[0], line_no, ects
        )

    def finish(self) -> Table:
        table = self.table
        if self.columns and [u.code for u in table.ues] != self.columns:
            self.warn(
                table.line,
                "ue_columns",
                "l'ordre des colonnes UE diffère de la liste des UE : colonnes suivies",
            )
        close_module_table(table, bool(table.modules), rows_ok=not self.bad_lines)
        if table.declared_total is not None:
            semester_sum = sum(m.semester_coefficient or 0 for m in table.modules)
            if not sums_agree(semester_sum, table.declared_total, len(table.modules)):
                self.warn(
                    table.totals_line,
                    "total_mismatch",
                    f"somme des coefficients semestre {fmt.number(semester_sum, 2, trim=False)}"
                    f" ≠ total imprimé {fmt.number(table.declared_total, 4)}",
                )
        if table.modules:  # a partial table always says why (e.g. a document cut short)
            absent = [
                label
                for label, value in (
                    ("« Total des coefficients »", table.declared_total),
                    ("« Crédits ECTS »", table.declared_ects),
                )
                if value is None
            ]
            unprinted = [u.code for u in table.ues if u.total is None or u.ects is None]
            if absent:
                plural = "s" if len(absent) > 1 else ""
                self.warn(
                    table.line,
                    "missing_totals",
                    f"ligne{plural} {' et '.join(absent)} absente{plural} : totaux du "
                    "tableau non vérifiés",
                )
            elif unprinted:
                self.warn(
                    table.totals_line,
                    "missing_totals",
                    f"total ou crédits ECTS non imprimés pour {', '.join(unprinted)}",
                )
        return table


def parse(source: str, lines: list[str]) -> Document:
    doc = Document(source=source, layout="modules", n_lines=len(lines))
    current: _TableBuilder | None = None
    builders: list[_TableBuilder] = []
    for line_no, raw in enumerate(lines, start=1):
        line = normalize(raw)
        if not line:
            continue
        if m := TITLE.match(line):
            current = _TableBuilder(source, line_no, line, int(m.group(1)), m.group(2), m.group(3))
            builders.append(current)
            continue
        if current is None:
            continue  # document preamble
        table = current.table
        if (m := YEAR.match(line)) and table.year is None:
            table.year = m.group(1)
        elif m := UE_LINE.match(line):
            code = m.group(1)
            table.ues.append(
                UE(code=code, competence=competence_of(code), name=m.group(2), line=line_no)
            )
        elif m := UE_HEADER.match(line):
            current.columns.append(m.group(1))
        elif m := TOTAL.match(line):
            current.add_totals(line_no, m.group(1), ects=False)
        elif m := ECTS.match(line):
            current.add_totals(line_no, m.group(1), ects=True)
        elif m := MODULE.match(line):
            current.add_module(line_no, m.group(1), m.group(2))
        elif "Tronc" in line or line.startswith("Modules du"):
            current.section = "tronc commun"
        elif "spécialité" in line or line.startswith("Modules de"):
            current.section = "spécialité"
    if not builders:
        raise SourceError(
            source, None, "aucun tableau reconnu (titre « Semestre N BUT … » attendu)"
        )
    doc.tables = [b.finish() for b in builders]
    assign_table_ids(doc.tables, source)
    years = {t.year for t in doc.tables if t.year}
    doc.year = years.pop() if len(years) == 1 else None  # printed under every title
    _cross_table_checks(doc)
    return doc


def _cross_table_checks(doc: Document) -> None:
    """Oddities only visible across tables: code variants and SAÉ titles reused by other codes."""
    by_name: dict[tuple[int | None, str], dict[str, list[tuple[Table, Module]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    sae_titles: dict[str, dict[str, list[tuple[Table, Module]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for table in doc.tables:
        for module in table.modules:
            assert module.code is not None  # every module line of this layout starts with its code
            by_name[(table.semester, slug(module.name or ""))][module.code].append((table, module))
            if module.kind == SAE:
                sae_titles[slug(module.name or "")][module.code].append((table, module))
    for (semester, _), codes in by_name.items():
        if len(codes) > 1:
            listed = ", ".join(f"{code} ({len(uses)} tableau(x))" for code, uses in codes.items())
            for uses in codes.values():
                for table, module in uses:
                    table.issues.append(
                        Issue(
                            module.line,
                            "code_variant",
                            f"même module du S{semester} codé différemment selon "
                            f"les tableaux : {listed}",
                        )
                    )
    for codes in sae_titles.values():
        if len(codes) > 1:
            listed = ", ".join(sorted(codes))
            for uses in codes.values():
                for table, module in uses:
                    table.issues.append(
                        Issue(
                            module.line,
                            "duplicate_title",
                            f"l'intitulé « {module.name} » est porté par plusieurs "
                            f"codes : {listed}",
                        )
                    )
