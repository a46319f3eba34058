"""A scenario: a named proposal of new coefficients for one table or one year, made of steps of
edits on a copy of its origin, with undo / redo, a French change list and a plain-dict form for
storage.

A :class:`Scenario` is immutable: every edit, undo or redo returns a new one (its ``version``
goes up by one and ``updated`` moves), so a page can keep the previous one and a store can
detect a concurrent change by the version.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import polars as pl

from butdata.scenarios.edits import (
    AddModule,
    Edit,
    RemoveModule,
    RenameModule,
    SetCoefficient,
    SetEcts,
    SetKind,
    edit_from_dict,
    edit_to_dict,
)
from butdata.scenarios.proposal import (
    Proposal,
    ScenarioError,
    proposal_from_frames,
    show,
    to_decimal,
)

FORMAT = "butdata.scenario/1"

Step = tuple[Edit, ...]  # edits undone and redone together (e.g. a move of coefficient)


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


@dataclass(frozen=True)
class Change:
    """One line of the change list: the step it belongs to (1-based), its French text, the
    table it touches and the edit itself."""

    step: int
    text: str
    table_id: str
    edit: Edit


@dataclass(frozen=True)
class Scenario:
    name: str
    origin: tuple[str, ...]  # table ids: one table, or the odd and even tables of a year
    base: Proposal = field(repr=False)  # the origin's copy, never edited
    author: str | None = None
    note: str | None = None
    created: datetime = field(default_factory=lambda: datetime.now(UTC))
    updated: datetime = field(default_factory=lambda: datetime.now(UTC))
    version: int = 1
    steps: tuple[Step, ...] = ()  # applied, oldest first
    undone: tuple[Step, ...] = ()  # redo stack, the next to redo last

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ScenarioError("un scénario doit avoir un nom")
        if tuple(self.base.table_ids) != tuple(self.origin):
            raise ScenarioError("l'origine ne correspond pas aux tableaux copiés")

    # ----------------------------------------------------------------------- making one

    @classmethod
    def from_frames(
        cls,
        frames: Mapping[str, pl.DataFrame],
        table_ids: Sequence[str],
        name: str,
        author: str | None = None,
        note: str | None = None,
        now: datetime | None = None,
    ) -> Scenario:
        """A scenario copying these tables (frames shaped like the store views)."""
        t = _now(now)
        base = proposal_from_frames(frames, table_ids)
        return cls(name.strip(), tuple(table_ids), base, author, note, t, t)

    # ----------------------------------------------------------------------- state

    @cached_property
    def proposal(self) -> Proposal:
        """The origin with every applied step."""
        p = self.base
        for step in self.steps:
            for edit in step:
                p = edit.apply(p)
        return p

    @property
    def can_undo(self) -> bool:
        return bool(self.steps)

    @property
    def can_redo(self) -> bool:
        return bool(self.undone)

    def frames(self) -> dict[str, pl.DataFrame]:
        """The proposal as frames shaped like the store views (for checks, charts, grading)."""
        return self.proposal.frames()

    def origin_frames(self) -> dict[str, pl.DataFrame]:
        return self.base.frames()

    # ----------------------------------------------------------------------- edits

    def apply(self, *edits: Edit, now: datetime | None = None) -> Scenario:
        """A new scenario with these edits as one step (checked now: ScenarioError if one
        cannot apply). The redo stack is dropped."""
        if not edits:
            return self
        p = self.proposal
        for edit in edits:
            p = edit.apply(p)
        return self._next(now, steps=(*self.steps, tuple(edits)), undone=())

    def undo(self, now: datetime | None = None) -> Scenario:
        if not self.steps:
            raise ScenarioError("rien à annuler")
        return self._next(now, steps=self.steps[:-1], undone=(*self.undone, self.steps[-1]))

    def redo(self, now: datetime | None = None) -> Scenario:
        if not self.undone:
            raise ScenarioError("rien à rétablir")
        return self._next(now, steps=(*self.steps, self.undone[-1]), undone=self.undone[:-1])

    def with_info(
        self,
        name: str | None = None,
        author: str | None = None,
        note: str | None = None,
        now: datetime | None = None,
    ) -> Scenario:
        """Name, author or note changed (None keeps the current one)."""
        return self._next(
            now,
            name=self.name if name is None else name.strip(),
            author=self.author if author is None else author,
            note=self.note if note is None else note,
        )

    def _next(self, now: datetime | None, **changes: Any) -> Scenario:
        return replace(self, version=self.version + 1, updated=_now(now), **changes)

    # ----------------------------------------------------------------------- edit helpers

    def _table_of_ue(self, ue: str, table_id: str | None) -> str:
        return table_id or self.proposal.find_ue(ue).table_id

    def _table_of_module(self, code: str, table_id: str | None) -> str:
        if table_id:
            return table_id
        return self.proposal.module(code).table_id

    def _table_for_new(self, table_id: str | None) -> str:
        if table_id:
            return table_id
        if len(self.origin) == 1:
            return self.origin[0]
        raise ScenarioError(f"précisez le tableau du nouveau module : {' ou '.join(self.origin)}")

    def set_coefficient(
        self,
        module: str,
        ue: str,
        value: Any,
        table_id: str | None = None,
        now: datetime | None = None,
    ) -> Scenario:
        """The coefficient of ``module`` in ``ue`` (exact: 1.5, "1,5" or a Decimal)."""
        tid = self._table_of_ue(ue, table_id)
        return self.apply(
            SetCoefficient(tid, module, ue, to_decimal(value, "coefficient")), now=now
        )

    def move_coefficient(
        self,
        ue: str,
        from_module: str,
        to_module: str,
        amount: Any,
        table_id: str | None = None,
        now: datetime | None = None,
    ) -> Scenario:
        """Move ``amount`` of coefficient from one module to another in one UE (the UE total
        stays): one step of two edits, undone together."""
        p, tid = self.proposal, self._table_of_ue(ue, table_id)
        u = p.find_ue(ue, tid)
        amount = to_decimal(amount, "quantité")
        src, dst = p.module(from_module, tid), p.module(to_module, tid)
        old_src, old_dst = p.value(tid, src.key, u.competence), p.value(tid, dst.key, u.competence)
        if amount > old_src:
            raise ScenarioError(
                f"{from_module} n'a que {show(old_src)} de coefficient dans {u.code} : "
                f"impossible d'en déplacer {show(amount)}"
            )
        return self.apply(
            SetCoefficient(tid, from_module, ue, old_src - amount),
            SetCoefficient(tid, to_module, ue, old_dst + amount),
            now=now,
        )

    def set_ects(
        self, ue: str, value: Any, table_id: str | None = None, now: datetime | None = None
    ) -> Scenario:
        tid = self._table_of_ue(ue, table_id)
        return self.apply(SetEcts(tid, ue, to_decimal(value, "ECTS")), now=now)

    def add_module(
        self,
        code: str,
        name: str | None = None,
        kind: str | None = None,
        table_id: str | None = None,
        now: datetime | None = None,
    ) -> Scenario:
        return self.apply(AddModule(self._table_for_new(table_id), code, name, kind), now=now)

    def remove_module(
        self, code: str, table_id: str | None = None, now: datetime | None = None
    ) -> Scenario:
        return self.apply(RemoveModule(self._table_of_module(code, table_id), code), now=now)

    def rename_module(
        self,
        code: str,
        new_code: str | None = None,
        new_name: str | None = None,
        table_id: str | None = None,
        now: datetime | None = None,
    ) -> Scenario:
        tid = self._table_of_module(code, table_id)
        return self.apply(RenameModule(tid, code, new_code, new_name), now=now)

    def set_kind(
        self, code: str, kind: str, table_id: str | None = None, now: datetime | None = None
    ) -> Scenario:
        tid = self._table_of_module(code, table_id)
        return self.apply(SetKind(tid, code, kind), now=now)

    # ----------------------------------------------------------------------- change list

    def change_list(self) -> list[Change]:
        """Every applied edit in order, described against the proposal just before it."""
        out, p = [], self.base
        for i, step in enumerate(self.steps, start=1):
            for edit in step:
                out.append(Change(i, edit.describe(p), edit.table_id, edit))
                p = edit.apply(p)
        return out

    def changes(self) -> list[str]:
        """The change list as French lines: « R3.07 UE31 : 1,5 → 1,0 »."""
        return [c.text for c in self.change_list()]

    # ----------------------------------------------------------------------- plain form

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (decimals as text, exact; timestamps ISO 8601)."""
        return {
            "format": FORMAT,
            "name": self.name,
            "origin": list(self.origin),
            "author": self.author,
            "note": self.note,
            "created": self.created.isoformat(),
            "updated": self.updated.isoformat(),
            "version": self.version,
            "base": self.base.to_dict(),
            "steps": [[edit_to_dict(e) for e in step] for step in self.steps],
            "undone": [[edit_to_dict(e) for e in step] for step in self.undone],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Back from :meth:`to_dict`; every step is applied again (ScenarioError if one no
        longer applies, or when the dict is not a scenario)."""
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise ScenarioError(f"pas un scénario butdata (format attendu : {FORMAT})")
        try:
            scenario = cls(
                name=data["name"],
                origin=tuple(data["origin"]),
                base=Proposal.from_dict(data["base"]),
                author=data.get("author"),
                note=data.get("note"),
                created=datetime.fromisoformat(data["created"]),
                updated=datetime.fromisoformat(data["updated"]),
                version=int(data["version"]),
                steps=_steps(data.get("steps", [])),
                undone=_steps(data.get("undone", [])),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ScenarioError(f"scénario illisible ({exc})") from None
        scenario.proposal  # noqa: B018 (replays the steps: fails now, not later)
        return scenario

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScenarioError(
                f"scénario illisible : JSON invalide ({exc.msg}, ligne {exc.lineno})"
            ) from None
        return cls.from_dict(data)


def _steps(data: Iterable[Iterable[Mapping[str, Any]]]) -> tuple[Step, ...]:
    return tuple(tuple(edit_from_dict(e) for e in step) for step in data)
