"""Settings that carry their French label and their source (the arrêté, ScoDoc, the notes, or a
local choice): the fields of the grading rules and of the conformity checks, listed alike."""

from __future__ import annotations

from dataclasses import field, fields
from typing import TYPE_CHECKING, TypedDict, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T")


class SettingInfo(TypedDict):
    name: str
    default: object
    label: str  # French: what the setting is
    source: str  # French: where its default comes from


def setting(default: T, label: str, source: str) -> T:
    """A dataclass field with its published (or local) default, label and source."""
    return field(default=default, metadata={"label": label, "source": source})


def describe_settings(cls: type[DataclassInstance]) -> list[SettingInfo]:
    """One entry per setting of ``cls``: name, default, French label and source, for display."""
    return [
        {
            "name": f.name,
            "default": f.default,
            "label": f.metadata["label"],
            "source": f.metadata["source"],
        }
        for f in fields(cls)
    ]
