"""Scenarios: a committee's proposal of new coefficients for a table or a year, edited step by
step on a copy of its origin, compared with it, simulated on students and turned into a document.
Pure (no streamlit, no duckdb): the page, the storage and the council's document build on it.

- :mod:`.proposal`: the editable copy (exact decimals) and its frames shaped like the store views;
- :mod:`.edits`: the edit operations and their French descriptions;
- :mod:`.scenario`: :class:`Scenario` (steps, undo / redo, change list, plain dict / JSON);
- :mod:`.diff`: difference with the origin (cells, grid, UE totals and SAÉ shares, weights);
- :mod:`.impact`: one cohort simulated before / after (the only user of the grading engine);
- :mod:`.document`: the scenario as a :class:`butdata.model.Document`.
"""

from butdata.scenarios.diff import ScenarioDiff, scenario_diff
from butdata.scenarios.document import scenario_source, to_document
from butdata.scenarios.edits import (
    AddModule,
    Edit,
    RemoveModule,
    RenameModule,
    SetCoefficient,
    SetEcts,
    SetKind,
)
from butdata.scenarios.impact import Impact, grade_columns, impact
from butdata.scenarios.proposal import Proposal, ScenarioError
from butdata.scenarios.scenario import Change, Scenario

__all__ = [
    "AddModule",
    "Change",
    "Edit",
    "Impact",
    "Proposal",
    "RemoveModule",
    "RenameModule",
    "Scenario",
    "ScenarioDiff",
    "ScenarioError",
    "SetCoefficient",
    "SetEcts",
    "SetKind",
    "grade_columns",
    "impact",
    "scenario_diff",
    "scenario_source",
    "to_document",
]
