"""Edits of a proposal: small immutable operations, each applied to a proposal to give a new one,
described in French for the change list (« R3.07 UE31 : 1,5 → 1,0 »), and stored as a plain dict.
Every operation names its table, so that it means the same thing in a year's two tables."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, ClassVar

from butdata.scenarios.proposal import (
    Module,
    Proposal,
    ScenarioError,
    show,
    show_pair,
    to_decimal,
)
from butdata.vocab import KIND_LABELS, KINDS, module_kind


def _non_negative(value: Decimal, what: str) -> Decimal:
    if value < 0:
        raise ScenarioError(f"{what} négatif : {show(value)}")
    return value


def _exact(edit: SetCoefficient | SetEcts) -> None:
    """Values are exact decimals, whatever they were given as (1.5, "1,5", Decimal)."""
    object.__setattr__(edit, "value", to_decimal(edit.value))


@dataclass(frozen=True)
class SetCoefficient:
    """The coefficient of a module in a UE (0 removes it)."""

    table_id: str
    module: str  # module code
    ue: str  # UE code
    value: Decimal
    op: ClassVar[str] = "set_coefficient"

    def __post_init__(self) -> None:
        _exact(self)

    def apply(self, p: Proposal) -> Proposal:
        m, u = p.module(self.module, self.table_id), p.find_ue(self.ue, self.table_id)
        _non_negative(self.value, f"coefficient de {self.module} dans {self.ue}")
        return p.with_cell(self.table_id, m.key, u.competence, self.value)

    def describe(self, before: Proposal) -> str:
        m, u = before.module(self.module, self.table_id), before.find_ue(self.ue, self.table_id)
        old, new = show_pair(before.value(self.table_id, m.key, u.competence), self.value)
        return f"{self.module} {u.code} : {old} → {new}"


@dataclass(frozen=True)
class SetEcts:
    """The ECTS credits of a UE."""

    table_id: str
    ue: str
    value: Decimal
    op: ClassVar[str] = "set_ects"

    def __post_init__(self) -> None:
        _exact(self)

    def apply(self, p: Proposal) -> Proposal:
        u = p.find_ue(self.ue, self.table_id)
        return p.with_ects(u, _non_negative(self.value, f"ECTS de {self.ue}"))

    def describe(self, before: Proposal) -> str:
        u = before.find_ue(self.ue, self.table_id)
        old, new = show_pair(u.ects, self.value)
        return f"{u.code} : ECTS {old} → {new}"


@dataclass(frozen=True)
class AddModule:
    """A new module (no coefficient yet); its kind defaults to the one of its code."""

    table_id: str
    module: str
    name: str | None = None
    kind: str | None = None
    op: ClassVar[str] = "add_module"

    def apply(self, p: Proposal) -> Proposal:
        p.table(self.table_id)
        code = _free_code(p, self.table_id, self.module, "un module ajouté doit avoir un code")
        kind = self.kind or module_kind(code, self.name)
        _check_kind(kind)
        keys = {m.key for m in p.modules if m.table_id == self.table_id}
        key, n = code, 1
        while key in keys:  # a code added again after a rename: keep identities distinct
            n += 1
            key = f"{code}#{n}"
        position = 1 + max(
            (m.position for m in p.modules if m.table_id == self.table_id), default=0
        )
        module = Module(self.table_id, key, code, self.name, kind, position, None)
        return p.with_module(None, module)

    def describe(self, before: Proposal) -> str:
        return f"ajout du module {self.module.strip()}"


@dataclass(frozen=True)
class RemoveModule:
    """A module and all its coefficients."""

    table_id: str
    module: str
    op: ClassVar[str] = "remove_module"

    def apply(self, p: Proposal) -> Proposal:
        return p.with_module(p.module(self.module, self.table_id), None)

    def describe(self, before: Proposal) -> str:
        return f"suppression du module {self.module}"


@dataclass(frozen=True)
class RenameModule:
    """A module's code and/or name (its coefficients stay)."""

    table_id: str
    module: str
    new_code: str | None = None
    new_name: str | None = None
    op: ClassVar[str] = "rename_module"

    def apply(self, p: Proposal) -> Proposal:
        m = p.module(self.module, self.table_id)
        code = _free_code(
            p, self.table_id, self.new_code or m.code, "un module doit avoir un code", m.code
        )
        name = m.name if self.new_name is None else (self.new_name.strip() or None)
        return p.with_module(m, replace(m, code=code, name=name))

    def describe(self, before: Proposal) -> str:
        m = before.module(self.module, self.table_id)
        parts = []
        if self.new_code and self.new_code.strip() != m.code:
            parts.append(f"{m.code} renommé {self.new_code.strip()}")
        if self.new_name is not None and (self.new_name.strip() or None) != m.name:
            parts.append(
                f"{self.new_code or m.code} : intitulé « {m.name or ''} » → « {self.new_name.strip()} »"
            )
        return " ; ".join(parts) or f"{m.code} : inchangé"


@dataclass(frozen=True)
class SetKind:
    """A module's kind (ressource, SAÉ, portfolio, stage, autre): it moves the SAÉ share."""

    table_id: str
    module: str
    kind: str
    op: ClassVar[str] = "set_kind"

    def apply(self, p: Proposal) -> Proposal:
        _check_kind(self.kind)
        m = p.module(self.module, self.table_id)
        return p.with_module(m, replace(m, kind=self.kind))

    def describe(self, before: Proposal) -> str:
        m = before.module(self.module, self.table_id)
        return f"{m.code} : type {KIND_LABELS[m.kind]} → {KIND_LABELS[self.kind]}"


Edit = SetCoefficient | SetEcts | AddModule | RemoveModule | RenameModule | SetKind
EDIT_TYPES: Mapping[str, type[Edit]] = {
    t.op: t for t in (SetCoefficient, SetEcts, AddModule, RemoveModule, RenameModule, SetKind)
}


def _free_code(
    p: Proposal, table_id: str, code: str, empty: str, current: str | None = None
) -> str:
    """``code`` stripped, for a module of ``table_id``: not empty (``empty`` says so) and no
    other module's (``current``: the module's own code before a rename)."""
    code = code.strip()
    if not code:
        raise ScenarioError(empty)
    if code != current and p.find_module(code, table_id) is not None:
        raise ScenarioError(f"le module {code} existe déjà dans {table_id}")
    return code


def _check_kind(kind: str | None) -> None:
    if kind not in KINDS:
        labels = ", ".join(KIND_LABELS[k] for k in KINDS)
        raise ScenarioError(f"type de module inconnu : {kind!r} (attendu : {labels})")


def edit_to_dict(edit: Edit) -> dict[str, Any]:
    """``{"op": "set_coefficient", "table_id": …, "module": …, "ue": …, "value": "1.0"}``;
    decimals as text, exact."""
    fields = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in edit.__dict__.items()}
    return {"op": edit.op, **fields}


def edit_from_dict(data: Mapping[str, Any]) -> Edit:
    kind = EDIT_TYPES.get(str(data.get("op")))
    if kind is None:
        raise ScenarioError(f"modification inconnue : {data.get('op')!r}")
    args = {k: v for k, v in data.items() if k != "op"}
    if "value" in args:
        args["value"] = to_decimal(args["value"])
    try:
        return kind(**args)
    except TypeError as exc:
        raise ScenarioError(f"modification illisible : {dict(data)} ({exc})") from None
