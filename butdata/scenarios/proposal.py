"""A proposal: an editable, immutable copy of one table or of the two tables of a year — UEs with
their ECTS, modules with code, name and kind, and the module × UE coefficients.

Values are exact decimals (:class:`decimal.Decimal`), read from the printed text of the origin
(« 1.50 ») and changed by decimal arithmetic, so 1,5 - 0,5 is 1,0 and never 0,9999999999999999;
they become floats only in the frames handed to the checks, the grading and the charts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import polars as pl

from butdata import fmt
from butdata.analysis.years import pair_records
from butdata.errors import ButdataError
from butdata.vocab import COMPLETE, EMPTY, SAE_KINDS, module_kind, ue_key


class ScenarioError(ButdataError):
    """A scenario that cannot be made or edited as asked (message in French)."""


def to_decimal(value: Any, what: str = "valeur") -> Decimal:
    """An exact decimal from a Decimal, an int, a float (its shortest repr: 0.1 is 0.1) or a
    printed text (« 1,5 » or « 1.50 »); ScenarioError when it is not a finite number."""
    try:
        if isinstance(value, Decimal):
            number = value
        elif isinstance(value, bool):
            raise InvalidOperation
        elif isinstance(value, int):
            number = Decimal(value)
        elif isinstance(value, float):
            number = Decimal(repr(value))
        else:
            number = Decimal(str(value).strip().replace(",", ".").replace("\u202f", ""))
    except (InvalidOperation, ValueError):
        raise ScenarioError(f"{what} illisible : {value!r}") from None
    if not number.is_finite():
        raise ScenarioError(f"{what} illisible : {value!r}")
    return number


def decimals(value: Decimal) -> int:
    """Significant decimals: Decimal("1.50") has one, Decimal("8") none."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def show(value: Decimal | None, digits: int | None = None) -> str:
    """French text of an exact value, with ``digits`` decimals (default: its significant
    ones): ``show(Decimal("1.0"), 1) == "1,0"``, ``show(Decimal("8")) == "8"``."""
    if value is None:
        return fmt.MISSING
    n = decimals(value) if digits is None else digits
    return fmt.number(float(value), n, trim=False)


def show_pair(before: Decimal | None, after: Decimal | None) -> tuple[str, str]:
    """Two values at the same precision (the finer of the two), an absent or zero value as
    « 0 »: (1,5, 1,0); (8, 9); (0, 1,5)."""
    known = [v for v in (before, after) if v is not None]
    n = max((decimals(v) for v in known), default=0)

    def one(v: Decimal | None) -> str:
        return "0" if v is not None and v == 0 else show(v, n)

    return one(before), one(after)


@dataclass(frozen=True)
class TableInfo:
    """Identity of an origin table (copied, never edited)."""

    table_id: str
    source: str | None
    source_line: int | None
    title: str | None
    formation: str | None
    formation_name: str | None
    site: str | None
    semester: int | None
    parcours: str | None
    alternance: bool
    status: str
    year: str | None


@dataclass(frozen=True)
class UE:
    table_id: str
    code: str  # as printed: "UE31", "UE 3.1"
    competence: int
    name: str | None
    ects: Decimal | None
    line: int | None  # origin source line


@dataclass(frozen=True)
class Module:
    table_id: str
    key: str  # stable identity: the origin code, or the code it was added with (renames keep it)
    code: str
    name: str | None
    kind: str | None
    position: int
    line: int | None  # origin source line (None when added)
    section: str | None = None


@dataclass(frozen=True)
class Cell:
    """One non-zero coefficient of a module in a UE."""

    table_id: str
    module_key: str
    competence: int
    value: Decimal
    printed: str | None  # origin text while unchanged, None once edited
    line: int | None  # origin source line while unchanged


@dataclass(frozen=True)
class Proposal:
    tables: tuple[TableInfo, ...]
    ues: tuple[UE, ...]
    modules: tuple[Module, ...]
    cells: tuple[Cell, ...]

    # ----------------------------------------------------------------------- look-ups

    @property
    def table_ids(self) -> tuple[str, ...]:
        return tuple(t.table_id for t in self.tables)

    def table(self, table_id: str) -> TableInfo:
        for t in self.tables:
            if t.table_id == table_id:
                return t
        raise ScenarioError(f"tableau absent du scénario : {table_id}")

    def find_ue(self, code: str, table_id: str | None = None) -> UE:
        """The UE printed ``code`` (« UE31 », « UE 3.1 » are the same), in ``table_id`` or in
        the only table that has it."""
        found = [
            u
            for u in self.ues
            if ue_key(u.code) == ue_key(code) and (table_id is None or u.table_id == table_id)
        ]
        if not found:
            raise ScenarioError(f"UE inconnue dans le scénario : {code}")
        if len(found) > 1:
            raise ScenarioError(f"{code} est dans plusieurs tableaux : précisez le tableau")
        return found[0]

    def find_module(self, code: str, table_id: str | None = None) -> Module | None:
        found = [m for m in self.modules if m.code == code and table_id in (None, m.table_id)]
        if len(found) > 1:
            raise ScenarioError(f"module {code} dans plusieurs tableaux : précisez le tableau")
        return found[0] if found else None

    def module(self, code: str, table_id: str | None = None) -> Module:
        m = self.find_module(code, table_id)
        if m is None:
            raise ScenarioError(f"module inconnu dans le scénario : {code}")
        return m

    def value(self, table_id: str, module_key: str, competence: int) -> Decimal:
        for c in self.cells:
            if (c.table_id, c.module_key, c.competence) == (table_id, module_key, competence):
                return c.value
        return Decimal(0)

    def ue_totals(self) -> dict[tuple[str, int], tuple[Decimal, Decimal]]:
        """(table_id, competence) -> (coefficient total, SAÉ part), exact."""
        kind = {(m.table_id, m.key): m.kind for m in self.modules}
        out = {(u.table_id, u.competence): (Decimal(0), Decimal(0)) for u in self.ues}
        for c in self.cells:
            key = (c.table_id, c.competence)
            total, sae = out.get(key, (Decimal(0), Decimal(0)))
            is_sae = kind.get((c.table_id, c.module_key)) in SAE_KINDS
            out[key] = (total + c.value, sae + (c.value if is_sae else Decimal(0)))
        return out

    # ----------------------------------------------------------------------- edits

    def with_cell(
        self, table_id: str, module_key: str, competence: int, value: Decimal
    ) -> Proposal:
        rest = tuple(
            c
            for c in self.cells
            if (c.table_id, c.module_key, c.competence) != (table_id, module_key, competence)
        )
        if value == 0:
            return replace(self, cells=rest)
        cell = Cell(table_id, module_key, competence, value, None, None)
        return replace(self, cells=(*rest, cell))

    def with_module(self, old: Module | None, new: Module | None) -> Proposal:
        """Add ``new`` (``old`` None), remove ``old`` and its cells (``new`` None), or replace
        ``old`` by ``new``."""
        if old is None:
            return replace(self, modules=(*self.modules, *([new] if new else [])))
        if new is None:
            gone = (old.table_id, old.key)
            return replace(
                self,
                modules=tuple(m for m in self.modules if m != old),
                cells=tuple(c for c in self.cells if (c.table_id, c.module_key) != gone),
            )
        return replace(self, modules=tuple(new if m == old else m for m in self.modules))

    def with_ects(self, ue: UE, ects: Decimal | None) -> Proposal:
        return replace(self, ues=tuple(replace(u, ects=ects) if u == ue else u for u in self.ues))

    # ----------------------------------------------------------------------- frames

    def frames(self) -> dict[str, pl.DataFrame]:
        """The proposal as frames shaped like the store views (``tables``, ``ues``,
        ``coefficients``, ``modules``): declared totals are the proposal's own sums, SAÉ shares
        are computed from the module kinds, values are floats of the exact decimals."""
        return _frames(self)

    # ----------------------------------------------------------------------- dict

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        def plain(obj: Any) -> dict[str, Any]:
            return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in obj.__dict__.items()}

        return {
            "tables": [plain(t) for t in self.tables],
            "ues": [plain(u) for u in self.ues],
            "modules": [plain(m) for m in self.modules],
            "cells": [plain(c) for c in self.cells],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Proposal:
        try:
            return cls(
                tuple(TableInfo(**t) for t in data["tables"]),
                tuple(
                    UE(**{**u, "ects": None if u["ects"] is None else to_decimal(u["ects"])})
                    for u in data["ues"]
                ),
                tuple(Module(**m) for m in data["modules"]),
                tuple(Cell(**{**c, "value": to_decimal(c["value"])}) for c in data["cells"]),
            )
        except (KeyError, TypeError) as exc:
            raise ScenarioError(f"proposition illisible ({exc})") from None


# --------------------------------------------------------------------------- from the store


def proposal_from_frames(frames: Mapping[str, pl.DataFrame], table_ids: Sequence[str]) -> Proposal:
    """A copy of these tables (frames shaped like the store views, e.g.
    ``queries.table_frames``). Every value must belong to a module with a code: a damaged grid
    whose values are not attributable, or an empty table, cannot be the origin of a scenario."""
    if not 1 <= len(table_ids) <= 2:
        raise ScenarioError("un scénario part d'un tableau ou des deux tableaux d'une année")
    if len(table_ids) == 2:
        rows = frames["tables"].filter(pl.col("table_id").is_in(list(table_ids))).to_dicts()
        if (table_ids[0], table_ids[1]) not in pair_records(rows):
            raise ScenarioError(
                f"{table_ids[0]} et {table_ids[1]} ne forment pas une année (semestre impair "
                "puis le pair suivant, même document, site, parcours et alternance)"
            )
    tables: list[TableInfo] = []
    ues: list[UE] = []
    modules: list[Module] = []
    cells: list[Cell] = []
    for tid in table_ids:
        rows = frames["tables"].filter(pl.col("table_id") == tid).to_dicts()
        if not rows:
            raise ScenarioError(f"tableau introuvable : {tid}")
        t = rows[0]
        if t["status"] == EMPTY:
            raise ScenarioError(f"{tid} est vide : rien à copier")
        tables.append(
            TableInfo(
                tid,
                t.get("source"),
                t.get("source_line"),
                t.get("title"),
                t.get("formation"),
                t.get("formation_name"),
                t.get("site"),
                t.get("semester"),
                t.get("parcours"),
                bool(t.get("alternance")),
                t.get("status") or COMPLETE,
                t.get("year"),
            )
        )
        u_rows = frames["ues"].filter(pl.col("table_id") == tid)
        order = [c for c in ("competence", "ord") if c in u_rows.columns]
        for u in u_rows.sort(order).to_dicts():
            ects = None if u.get("ects") is None else to_decimal(u["ects"], "ECTS")
            ues.append(
                UE(tid, u["ue"], int(u["competence"]), u.get("name"), ects, u.get("source_line"))
            )
        c_rows = frames["coefficients"].filter(pl.col("table_id") == tid).to_dicts()
        lost = [c for c in c_rows if not c.get("module_code")]
        if lost:
            raise ScenarioError(
                f"{tid} : {len(lost)} valeur(s) non rattachée(s) à un module (grille abîmée à "
                "l'extraction du PDF) : ce tableau ne peut pas servir d'origine à un scénario"
            )
        m_rows = frames["modules"].filter(pl.col("table_id") == tid).sort("position").to_dicts()
        listed = {m["module_code"] for m in m_rows if m.get("module_code")}
        for c in sorted(c_rows, key=lambda c: c.get("position") or 0):  # fed but not listed
            if c["module_code"] not in listed:
                listed.add(c["module_code"])
                m_rows.append(
                    {
                        "module_code": c["module_code"],
                        "module_name": c.get("module_name"),
                        "kind": c.get("kind"),
                        "position": c.get("position"),
                        "source_line": c.get("source_line"),
                    }
                )
        seen: set[str] = set()
        for i, m in enumerate(m_rows):
            code = m.get("module_code")
            if not code:
                raise ScenarioError(f"{tid} : un module sans code ne peut pas être modifié")
            if code in seen:
                raise ScenarioError(
                    f"{tid} : le module {code} figure deux fois ; corrigez le tableau d'origine "
                    "avant d'en faire un scénario"
                )
            seen.add(code)
            kind = m.get("kind") or module_kind(code, m.get("module_name"))
            modules.append(
                Module(
                    tid,
                    code,
                    code,
                    m.get("module_name"),
                    kind,
                    i + 1,
                    m.get("source_line"),
                    m.get("section"),
                )
            )
        by_cell: dict[tuple[str, int], Cell] = {}
        for c in c_rows:
            printed = c.get("printed")
            value = to_decimal(printed if printed else c["coefficient"])
            key = (c["module_code"], int(c["competence"]))
            if value == 0:
                continue
            if key in by_cell:
                raise ScenarioError(
                    f"{tid} : deux valeurs pour {c['module_code']} dans la compétence "
                    f"{c['competence']}"
                )
            by_cell[key] = Cell(tid, key[0], key[1], value, printed, c.get("source_line"))
        cells += by_cell.values()
    return Proposal(tuple(tables), tuple(ues), tuple(modules), tuple(cells))


# --------------------------------------------------------------------------- to frames

_F = pl.Float64


def _frames(p: Proposal) -> dict[str, pl.DataFrame]:
    sums = p.ue_totals()
    module_of = {(m.table_id, m.key): m for m in p.modules}
    ue_of = {(u.table_id, u.competence): u for u in p.ues}
    tables = [
        {
            "table_id": t.table_id,
            "source": t.source,
            "source_line": t.source_line,
            "formation": t.formation,
            "formation_name": t.formation_name,
            "site": t.site,
            "semester": t.semester,
            "parcours": t.parcours,
            "alternance": t.alternance,
            "status": t.status,
            "n_ue": sum(u.table_id == t.table_id for u in p.ues),
            "title": t.title,
            "layout": "scenario",
            "year": t.year,
            "declared_total": float(sum(v[0] for k, v in sums.items() if k[0] == t.table_id)),
            "declared_ects": _sum_ects([u for u in p.ues if u.table_id == t.table_id]),
            "ord": i,
        }
        for i, t in enumerate(p.tables)
    ]
    ues = [
        {
            "table_id": u.table_id,
            "ue": u.code,
            "competence": u.competence,
            "name": u.name,
            "ects": None if u.ects is None else float(u.ects),
            "total": float(sums[(u.table_id, u.competence)][0]),
            "sae_share": _share(*sums[(u.table_id, u.competence)]),
            "sae_share_printed": False,
            "source_line": u.line,
            "sum_ok": True,
            "ord": i,
        }
        for i, u in enumerate(p.ues)
    ]
    coefficients = []
    for c in p.cells:
        m = module_of[(c.table_id, c.module_key)]
        ue = ue_of.get((c.table_id, c.competence))
        coefficients.append(
            {
                "table_id": c.table_id,
                "ue": ue.code if ue else None,
                "competence": c.competence,
                "module_code": m.code,
                "module_name": m.name,
                "kind": m.kind,
                "position": m.position,
                "coefficient": float(c.value),
                "printed": c.printed or str(c.value),
                "source_line": c.line,
            }
        )
    modules = [
        {
            "table_id": m.table_id,
            "module_code": m.code,
            "module_name": m.name,
            "kind": m.kind,
            "position": m.position,
            "semester_coefficient": float(
                sum(
                    (c.value for c in p.cells if (c.table_id, c.module_key) == (m.table_id, m.key)),
                    Decimal(0),
                )
            ),
            "section": m.section,
            "source_line": m.line,
        }
        for m in p.modules
    ]
    return {
        "tables": pl.DataFrame(tables, schema=_TABLES, orient="row"),
        "ues": pl.DataFrame(ues, schema=_UES, orient="row"),
        "coefficients": pl.DataFrame(coefficients, schema=_COEFFICIENTS, orient="row"),
        "modules": pl.DataFrame(modules, schema=_MODULES, orient="row"),
    }


def _sum_ects(ues: Sequence[UE]) -> float | None:
    if any(u.ects is None for u in ues):
        return None
    return float(sum((u.ects for u in ues if u.ects is not None), Decimal(0)))


def _share(total: Decimal, sae: Decimal) -> float | None:
    return float(sae / total) if total else None


_TABLES = {
    "table_id": pl.String,
    "source": pl.String,
    "source_line": pl.Int32,
    "formation": pl.String,
    "formation_name": pl.String,
    "site": pl.String,
    "semester": pl.Int32,
    "parcours": pl.String,
    "alternance": pl.Boolean,
    "status": pl.String,
    "n_ue": pl.Int32,
    "title": pl.String,
    "layout": pl.String,
    "year": pl.String,
    "declared_total": _F,
    "declared_ects": _F,
    "ord": pl.Int32,
}
_UES = {
    "table_id": pl.String,
    "ue": pl.String,
    "competence": pl.Int32,
    "name": pl.String,
    "ects": _F,
    "total": _F,
    "sae_share": _F,
    "sae_share_printed": pl.Boolean,
    "source_line": pl.Int32,
    "sum_ok": pl.Boolean,
    "ord": pl.Int32,
}
_COEFFICIENTS = {
    "table_id": pl.String,
    "ue": pl.String,
    "competence": pl.Int32,
    "module_code": pl.String,
    "module_name": pl.String,
    "kind": pl.String,
    "position": pl.Int32,
    "coefficient": _F,
    "printed": pl.String,
    "source_line": pl.Int32,
}
_MODULES = {
    "table_id": pl.String,
    "module_code": pl.String,
    "module_name": pl.String,
    "kind": pl.String,
    "position": pl.Int32,
    "semester_coefficient": _F,
    "section": pl.String,
    "source_line": pl.Int32,
}
