"""Conformity of MCC tables with the rules of :mod:`butdata.analysis.conformity_rules`.

Pure functions on frames shaped like the store views (``tables``, ``ues``, ``coefficients``,
``modules``): they run on every stored table and, live, on a table being edited in a scenario.
A reading gap is never reported as an MCC violation: on an empty or partially read table, on a
UE whose values were not all read, or whose values are not attributable to modules (damaged grid
extraction: ``module_code`` and ``module_name`` NULL), only what can be checked is, and one
``not_checked`` information per table and reason says what was left out and why.

Findings name the table, the UE (its printed code) and the module (its code), with a French
message; the source line is kept in :attr:`Finding.line` for the UI.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from butdata import fmt
from butdata.analysis.conformity_frames import (
    COLUMNS,
    TableView,
    UEView,
    decimals_of,
    prepare,
    records,
    ue_share,
    ue_total,
)
from butdata.analysis.conformity_rules import (
    COEFFICIENT_PRECISION,
    DEFAULT_SETTINGS,
    DUPLICATE_MODULE_CODE,
    INFO,
    MODULE_WITHOUT_COEFFICIENT,
    NOT_CHECKED,
    RCUE_PAIR_MISSING,
    RULES,
    RULES_BY_CODE,
    SAE_SHARE_BAND,
    SEMESTER_ECTS,
    SEVERITY_RANK,
    UE_TOTAL_MISMATCH,
    UE_WITHOUT_ECTS,
    UE_WITHOUT_SAE,
    WARNING,
    ConformitySettings,
    rule_set,
    rules_markdown,
)
from butdata.analysis.years import year_pairs
from butdata.checks import ue_sum_holds
from butdata.errors import ButdataError
from butdata.vocab import COMPLETE, EMPTY, FLOAT_NOISE, SAE_KINDS, in_band, module_kind

__all__ = [
    "DEFAULT_SETTINGS",
    "JSON_KEYS",
    "ConformitySettings",
    "Finding",
    "check_frames",
    "check_tables",
    "findings_frame",
    "rule_set",
    "rules_markdown",
]

JSON_KEYS = ("table_id", "rule", "ue", "module_code", "severity", "message")


@dataclass(frozen=True)
class Finding:
    """One finding: a rule not met (or, for ``not_checked``, what could not be checked)."""

    table_id: str
    rule: str
    ue: str | None
    module_code: str | None
    severity: str
    message: str  # French
    line: int | None = None  # source line of the value or UE concerned, when known

    def to_dict(self) -> dict[str, str | None]:
        """The JSON shape: ``table_id, rule, ue, module_code, severity, message``."""
        return {k: getattr(self, k) for k in JSON_KEYS}


# --------------------------------------------------------------------------- helpers


def _n(x: float | None) -> str:
    return fmt.number(x, 4)


def _at(line: int | None) -> str:
    return f" (ligne {line})" if line else ""


def _line(line: int | None) -> str:
    return f", ligne {line}" if line else ""


def _codes(ues: Iterable[UEView]) -> str:
    return ", ".join(u.code for u in ues)


class _Report:
    """Findings of one table, and what could not be checked there (reason -> rule codes)."""

    def __init__(self, table_id: str):
        self.table_id = table_id
        self.findings: list[Finding] = []
        self.gaps: dict[str, list[str]] = {}

    def add(
        self,
        rule: str,
        message: str,
        ue: str | None = None,
        module: str | None = None,
        line: int | None = None,
        severity: str | None = None,
    ) -> None:
        sev = severity or RULES_BY_CODE[rule].severity
        self.findings.append(Finding(self.table_id, rule, ue, module, sev, message, line))

    def gap(self, reason: str, *rules: str) -> None:
        listed = {r for codes in self.gaps.values() for r in codes}
        new = [r for r in rules if r not in listed]
        if new:
            self.gaps.setdefault(reason, []).extend(new)

    def not_checked(self) -> list[Finding]:
        order = {r.code: i for i, r in enumerate(RULES)}
        out = []
        for reason, codes in self.gaps.items():
            shorts = ", ".join(RULES_BY_CODE[c].short for c in sorted(codes, key=order.__getitem__))
            out.append(
                Finding(
                    self.table_id,
                    NOT_CHECKED,
                    None,
                    None,
                    INFO,
                    f"Non vérifié : {shorts}. Raison : {reason}.",
                )
            )
        return out


_PER_UE = (UE_TOTAL_MISMATCH, SAE_SHARE_BAND, UE_WITHOUT_SAE)
_EMPTY_REASON = "tableau vide, aucune valeur lue"
_PARTIAL_REASON = "tableau lu en partie, des UE ou des totaux manquent à la lecture"


def _status_reason(status: str) -> str:
    return _EMPTY_REASON if status == EMPTY else _PARTIAL_REASON


# --------------------------------------------------------------------------- rules of a table


def _check_ue(ue: UEView, settings: ConformitySettings, rep: _Report) -> None:
    """Total, SAÉ share and SAÉ presence of one UE whose values were all read."""
    total = ue.row["total"]
    if total is not None and not ue_sum_holds(
        ue.values_sum, len(ue.values), total, ue.row["aop_total"], ue.row["row_layout"]
    ):
        aop = " (avec la cellule AOP)" if ue.row["row_layout"] == "C" else ""
        rep.add(
            UE_TOTAL_MISMATCH,
            f"{ue.code} : total déclaré {_n(total)}{_at(ue.row['total_line'])} ≠ somme des "
            f"coefficients{aop} {_n(ue_total(ue))}.",
            ue.code,
            line=ue.row["total_line"] or ue.line,
        )
    share, how = ue_share(ue)
    if how in ("computed", "empty") and not any(v.kind in SAE_KINDS for v in ue.values):
        rep.add(
            UE_WITHOUT_SAE,
            f"{ue.code} : aucune SAÉ (ni portfolio, ni stage) n'y a de coefficient.",
            ue.code,
            line=ue.line,
        )
        return
    if how == "printed" and share is not None and share <= FLOAT_NOISE:
        rep.add(
            UE_WITHOUT_SAE,
            f"{ue.code} : rapport SAE/UE imprimé 0{_at(ue.row['total_line'] or ue.line)} : "
            "aucune SAÉ dans l'UE.",
            ue.code,
            line=ue.row["total_line"] or ue.line,
        )
        return
    if share is None:
        return
    if in_band(share, settings.sae_band):
        return
    lo, hi = settings.sae_band
    if how == "computed":
        sae = sum(v.coefficient for v in ue.values if v.kind in SAE_KINDS)
        detail = f"SAÉ {_n(sae)} sur {_n(ue_total(ue))}"
    else:
        line = ue.row["total_line"] or ue.line
        printed = fmt.number(share, 2, trim=False)  # as the document prints it: « 0,30 »
        detail = f"rapport SAE/UE imprimé {printed}" + (f", ligne {line}" if line else "")
    rep.add(
        SAE_SHARE_BAND,
        f"{ue.code} : part des SAÉ {fmt.percent(share)} ({detail}), hors de la cible "
        f"{fmt.percent(lo, 0)} – {fmt.percent(hi, 0)} (réglage local).",
        ue.code,
        line=ue.line if how == "computed" else (ue.row["total_line"] or ue.line),
    )


def _check_precision(t: TableView, settings: ConformitySettings, rep: _Report) -> None:
    ue_of = {u.competence: u for u in t.ues}
    ranks: dict[int, int] = {}
    for v in t.values:
        ranks[v.competence] = ranks.get(v.competence, 0) + 1
        n = decimals_of(v.coefficient, v.printed)
        if n <= settings.max_decimals:
            continue
        ue = ue_of.get(v.competence)
        ue_code = ue.code if ue else None
        shown = f"« {v.printed} »" if v.printed else _n(v.coefficient)
        where = f" dans {ue_code}" if ue_code else f" (compétence {v.competence})"
        rep.add(
            COEFFICIENT_PRECISION,
            f"{v.label(ranks[v.competence])}{where} : coefficient {shown} à {n} décimales "
            f"(au plus {settings.max_decimals}){_at(v.line)}.",
            ue_code,
            v.code,
            line=v.line,
        )


def _check_duplicates(t: TableView, rep: _Report) -> None:
    """A module code listed twice; without a module list, a code on two value rows."""
    seen: dict[str, list[int | None]] = {}
    if t.modules:
        for m in t.modules:
            if m["module_code"]:
                seen.setdefault(m["module_code"], []).append(m["source_line"])
        where = "dans la liste des modules"
    else:
        rows: dict[str, set[tuple[int | None, int | None]]] = {}
        for v in t.values:
            if v.code:
                rows.setdefault(v.code, set()).add((v.position, v.line))
        seen = {c: sorted({line for _, line in r}, key=lambda x: x or 0) for c, r in rows.items()}
        seen = {c: lines for c, lines in seen.items() if len(rows[c]) > 1}
        where = "sur plusieurs lignes de valeurs"
    for code, lines in seen.items():
        if len(lines) < 2:
            continue
        known = sorted({line for line in lines if line})
        at = f" (lignes {', '.join(str(x) for x in known)})" if known else ""
        rep.add(
            DUPLICATE_MODULE_CODE,
            f"{code} figure {len(lines)} fois {where}{at}.",
            None,
            code,
            line=known[0] if known else None,
        )


def _check_modules(t: TableView, settings: ConformitySettings, rep: _Report) -> None:
    """Listed modules that have no coefficient in any UE of the table."""
    fed = {v.code for v in t.values if v.code} | {v.name for v in t.values if not v.code}
    info_codes = {c.strip().upper() for c in settings.info_codes}
    reported: set[str] = set()
    for m in t.modules:
        code, name = m["module_code"], m["module_name"]
        key = code or name
        if key is None or key in fed or key in reported:
            continue
        reported.add(key)
        kind = m["kind"] or module_kind(code, name)
        minor = kind in settings.info_kinds or (code or "").strip().upper() in info_codes
        about = [x for x in (name, f"ligne {m['source_line']}" if m["source_line"] else None) if x]
        shown = (code or f"« {name} »") + (f" ({', '.join(about)})" if code and about else "")
        note = " ; simple information pour ce type de module" if minor else ""
        rep.add(
            MODULE_WITHOUT_COEFFICIENT,
            f"{shown} n'a de coefficient dans aucune UE du tableau : ses notes ne comptent "
            f"dans aucune moyenne{note}.",
            None,
            code,
            line=m["source_line"],
            severity=INFO if minor else WARNING,
        )


def _check_ects(t: TableView, settings: ConformitySettings, rep: _Report) -> None:
    missing = [u for u in t.ues if u.row["ects"] is None or u.row["ects"] <= 0]
    for u in missing:
        none = "aucun crédit ECTS" if u.row["ects"] is None else f"{_n(u.row['ects'])} crédit ECTS"
        rep.add(
            UE_WITHOUT_ECTS,
            f"{u.code} : {none}{_at(u.line)}.",
            u.code,
            line=u.line,
        )
    if missing or not t.ues:
        return
    total = sum(u.row["ects"] for u in t.ues)
    target = settings.semester_ects
    if not ue_sum_holds(total, len(t.ues), target):
        sem = t.row["semester"]
        parts = " + ".join(f"{u.code} {_n(u.row['ects'])}" for u in t.ues)
        rep.add(
            SEMESTER_ECTS,
            f"{f'S{sem}' if sem else 'Semestre'} : les ECTS des UE font {_n(total)} ({parts}), "
            f"pas {_n(target)}.",
            line=t.ues[0].row["ects_line"],
        )


def _check_table(t: TableView, settings: ConformitySettings) -> _Report:
    rep = _Report(t.table_id)
    if t.status == EMPTY or (not t.values and t.status != COMPLETE):
        rep.gap(_EMPTY_REASON, *(r.code for r in RULES if r.code != NOT_CHECKED))
        return rep
    complete = t.status == COMPLETE
    if not complete:
        rep.gap(_PARTIAL_REASON, SEMESTER_ECTS, UE_WITHOUT_ECTS, MODULE_WITHOUT_COEFFICIENT)
    read = [
        u for u in t.ues if complete or (u.row["sum_ok"] is True and u.row["total"] is not None)
    ]
    if len(read) < len(t.ues):
        rest = [u for u in t.ues if u not in read]
        rep.gap(
            f"{_codes(rest)} lue(s) en partie, la somme des valeurs ne fait pas le total "
            "imprimé ou le total manque",
            *_PER_UE,
        )
    unknown = [u for u in read if ue_share(u)[1] == "unknown"]
    if unknown:
        # a value known to be an SAÉ settles « UE sans SAÉ », not the share
        blind = any(not any(v.kind in SAE_KINDS for v in u.values) for u in unknown)
        rep.gap(
            f"part des SAÉ inconnue dans {_codes(unknown)}, les types des modules sont "
            "inconnus et le rapport SAE/UE n'est pas imprimé",
            SAE_SHARE_BAND,
            *([UE_WITHOUT_SAE] if blind else []),
        )
    for ue in read:
        _check_ue(ue, settings, rep)
    if complete:
        _check_ects(t, settings, rep)
    unattributed = [u for u in t.ues if not u.attributed]
    if unattributed or any(not v.attributed for v in t.values):
        rep.gap(
            f"les valeurs de {_codes(unattributed) or 'ce tableau'} ne sont pas rattachées "
            "aux modules (grille abîmée à l'extraction du PDF)",
            MODULE_WITHOUT_COEFFICIENT,
        )
    elif complete:
        _check_modules(t, settings, rep)
    _check_precision(t, settings, rep)
    _check_duplicates(t, rep)
    return rep


# --------------------------------------------------------------------------- years


def _check_year(odd: TableView, even: TableView, reports: Mapping[str, _Report]) -> None:
    """Each competence of the year has a UE in both semesters (the two UEs of its RCUE)."""
    pair = (odd, even)
    if any(t.status != COMPLETE for t in pair):
        for t, other in (pair, pair[::-1]):
            if t.status != COMPLETE:
                reports[t.table_id].gap(_status_reason(t.status), RCUE_PAIR_MISSING)
            else:
                state = "vide" if other.status == EMPTY else "lu en partie"
                reports[t.table_id].gap(
                    f"le tableau de l'autre semestre de l'année, {other.table_id}, est {state}",
                    RCUE_PAIR_MISSING,
                )
        return
    for t, other in (pair, pair[::-1]):
        theirs = {u.competence for u in other.ues}
        for ue in t.ues:
            if ue.competence in theirs:
                continue
            sem, other_sem = t.row["semester"], other.row["semester"]
            rep = reports[t.table_id]
            rep.add(
                RCUE_PAIR_MISSING,
                f"{ue.code} (compétence {ue.competence}, S{sem}{_line(ue.line)}) n'a pas d'UE "
                f"de la même compétence en S{other_sem} ({other.table_id}) : pas de RCUE "
                "possible.",
                ue.code,
                line=ue.line,
            )


# --------------------------------------------------------------------------- entry points


def check_tables(
    tables: pl.DataFrame,
    ues: pl.DataFrame,
    coefficients: pl.DataFrame,
    modules: pl.DataFrame,
    settings: ConformitySettings = DEFAULT_SETTINGS,
    years: Sequence[tuple[str, str]] | None = None,
) -> list[Finding]:
    """Findings on every table of these frames (shaped like the store views; missing optional
    columns are NULL, a missing status means a proposal, checked as complete). ``years``:
    ``(odd, even)`` table ids whose RCUE pairs are checked; by default the years the tables
    make (:func:`butdata.analysis.years.year_pairs`). Order: table, then rule, then UE;
    ``not_checked`` last in each table."""
    prepared = prepare(tables, ues, coefficients, modules)
    by_id = {t.table_id: t for t in prepared}
    reports = {t.table_id: _check_table(t, settings) for t in prepared}
    if years is None:
        pairs = year_pairs(pl.DataFrame(records(tables, "tables"), schema=COLUMNS["tables"]))
    else:
        pairs = [(str(a), str(b)) for a, b in years]
        unknown = [t for p in pairs for t in p if t not in by_id]
        if unknown:
            raise ButdataError(f"tableau(x) inconnu(s) pour l'année : {', '.join(unknown)}")
    for odd, even in pairs:
        _check_year(by_id[odd], by_id[even], reports)
    order = {r.code: i for i, r in enumerate(RULES)}
    out: list[Finding] = []
    for t in prepared:
        rep = reports[t.table_id]
        ue_rank = {u.code: i for i, u in enumerate(t.ues)}
        out += (
            sorted(rep.findings, key=lambda f: (order[f.rule], ue_rank.get(f.ue or "", -1)))
            + rep.not_checked()
        )
    return out


def check_frames(
    frames: Mapping[str, pl.DataFrame],
    settings: ConformitySettings = DEFAULT_SETTINGS,
    years: Sequence[tuple[str, str]] | None = None,
) -> list[Finding]:
    """:func:`check_tables` on a dict keyed by view name (``queries.table_frames`` output)."""
    return check_tables(
        frames["tables"],
        frames["ues"],
        frames["coefficients"],
        frames["modules"],
        settings,
        years,
    )


FINDINGS_SCHEMA = {
    "table_id": pl.String,
    "rule": pl.String,
    "ue": pl.String,
    "module_code": pl.String,
    "severity": pl.String,
    "message": pl.String,
    "line": pl.Int64,
    "rank": pl.Int64,
}


def findings_frame(findings: Sequence[Finding]) -> pl.DataFrame:
    """Findings as a frame (the JSON keys, the source line and a severity rank: 0 = error)."""
    return pl.DataFrame(
        [
            {**f.to_dict(), "line": f.line, "rank": SEVERITY_RANK.get(f.severity, 3)}
            for f in findings
        ],
        schema=FINDINGS_SCHEMA,
    )
