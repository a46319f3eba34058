"""One state for every selection: what is selected, what is shown and what the URL says are the
same thing.

Streamlit's own URL binding keeps a dependant widget's stale value in the URL after its parent
changes, filters a multiselect to nothing, and drops an invalid URL value without a word. So the
selections are driven here instead:

- a widget's value is kept in ``st.session_state`` under its own key (the user's last choice);
- when there is none yet (first run, a pasted link, another page), the URL value is used if it
  is one of the options, else the value remembered from another page, else the default; an
  invalid URL value gives a short French notice naming it and the default used;
- when a parent selection changes (formation → semestre → parcours), the dependants return to
  their defaults;
- after the widget, the URL is rewritten to exactly what is displayed.

URL values are the options' French labels (``semestre=S3``), so a link reads like the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

import streamlit as st

T = TypeVar("T")
NOTICES = "_notices"  # French notices of this run (invalid URL values…), shown by the page frame
_USED = "_url_keys"  # URL parameters this run's widgets said (the others are dropped at the end)
# Two dicts, not two session keys per widget: Streamlit walks the whole session state for every
# keyed select box or number input it draws, so each extra key costs every widget of the page.
_KEPT = "_kept"  # {widget key: value remembered across pages (widget state is dropped then)}
_PARENTS = "_parents"  # {widget key: the parent selection its value was chosen under}


def _kept() -> dict[str, Any]:
    kept: dict[str, Any] = st.session_state.setdefault(_KEPT, {})
    return kept


def notice(text: str) -> None:
    """A short French notice shown at the top of the page (once per run)."""
    notes = st.session_state.setdefault(NOTICES, [])
    if text not in notes:
        notes.append(text)


def take_notices() -> list[str]:
    return st.session_state.pop(NOTICES, [])


def _url_values(key: str) -> list[str]:
    return list(st.query_params.get_all(key))


def write_url(key: str, labels: Sequence[str] | str | None) -> None:
    """Make the URL parameter ``key`` say ``labels`` (removed when None/empty); writes only when
    it changes (every write is a message to the browser)."""
    st.session_state.setdefault(_USED, set()).add(key)
    _write_url(key, labels, _url_values(key))


def _write_url(key: str, labels: Sequence[str] | str | None, now: list[str]) -> list[str]:
    """Write ``labels`` to the URL parameter ``key`` that says ``now``; returns what it says."""
    wanted = [labels] if isinstance(labels, str) else list(labels or [])
    if now == wanted:
        return now
    if wanted:
        st.query_params[key] = wanted if len(wanted) > 1 else wanted[0]
    elif key in st.query_params:
        del st.query_params[key]
    return wanted


def drop_unused_url_params() -> None:
    """At the end of a run: the URL keeps only the parameters this run's widgets said, so it
    always equals what is displayed (a view switched off leaves no stale parameter)."""
    used = st.session_state.pop(_USED, set())
    for key in list(st.query_params):
        if key not in used and not _bound_by_streamlit(key):
            del st.query_params[key]


def _bound_by_streamlit(key: str) -> bool:
    """A parameter kept by a widget drawn with ``bind="query-params"`` (Streamlit removes its
    own stale ones)."""
    from streamlit.runtime.state.session_state_proxy import get_session_state

    with get_session_state().query_params() as qp:
        return bool(qp.is_bound(key))


def _parent_changed(key: str, parent: Hashable, parents: dict[str, Any] | None = None) -> bool:
    """Whether ``parent`` differs from the parent under which ``key`` was last chosen."""
    if parents is None:
        parents = st.session_state.setdefault(_PARENTS, {})
    previous = parents.get(key, parent)
    parents[key] = parent
    return previous != parent


_ABSENT = object()


def initial(
    key: str,
    options: Sequence[T],
    default: T,
    fmt: Callable[[T], str],
    what: str,
    parent: Hashable = None,
) -> T:
    """The value a single-choice widget must show on this run (see the module doc)."""
    return _initial(
        key,
        options,
        default,
        fmt,
        what,
        _parent_changed(key, parent),
        st.session_state.get(key, _ABSENT),
        lambda: _url_values(key),
        _kept(),
    )


def _initial(
    key: str,
    options: Sequence[T],
    default: T,
    fmt: Callable[[T], str],
    what: str,
    changed: bool,
    current: Any,
    url_values: Callable[[], list[str]],
    kept_values: dict[str, Any],
) -> T:
    if not changed and current is not _ABSENT and current in options:
        return current  # type: ignore[no-any-return]
    labels = [fmt(o) for o in options]
    url = url_values()
    if url and not changed:
        if url[-1] in labels:
            return options[labels.index(url[-1])]
        notice(f"{what} « {url[-1]} » introuvable : {fmt(default)} est affiché à la place.")
    kept = kept_values.get(key)
    if not changed and kept in options:
        return kept  # type: ignore[no-any-return]
    return default


class Many:
    """:func:`initial`, :func:`set_value` and :func:`remember` for the many widgets of one run
    (the Simulation page's 40-odd grade sliders): the session's dicts and the URL are read once,
    a value already in the widget's state is not set again. Streamlit's session state and query
    parameters cost a lock and a context lookup per access (≈ 3 ms a slider move, measured)."""

    def __init__(self) -> None:
        ss = st.session_state
        self._kept = _kept()
        self._parents: dict[str, Any] = ss.setdefault(_PARENTS, {})
        self._used: set[str] = ss.setdefault(_USED, set())
        self._url = {k: list(st.query_params.get_all(k)) for k in st.query_params}

    def show(
        self,
        key: str,
        options: Sequence[T],
        default: T,
        fmt: Callable[[T], str],
        what: str,
        parent: Hashable = None,
    ) -> None:
        """Put the value to show in the widget's state before it is drawn."""
        current = st.session_state.get(key, _ABSENT)
        value = _initial(
            key,
            options,
            default,
            fmt,
            what,
            _parent_changed(key, parent, self._parents),
            current,
            lambda: self._url.get(key, []),
            self._kept,
        )
        if current is _ABSENT or current != value or type(current) is not type(value):
            st.session_state[key] = value

    def remember(self, key: str, value: Any, labels: Sequence[str] | str | None) -> None:
        """As :func:`remember`."""
        self._kept[key] = value
        self._used.add(key)
        self._url[key] = _write_url(key, labels, self._url.get(key, []))


def initial_many(
    key: str,
    options: Sequence[T],
    default: Sequence[T],
    fmt: Callable[[T], str],
    what: str,
    parent: Hashable = None,
) -> list[T]:
    """The values a multiselect must show on this run (see the module doc)."""
    changed = _parent_changed(key, parent)
    current = st.session_state.get(key)
    if not changed and current and all(c in options for c in current):
        return list(current)
    labels = [fmt(o) for o in options]
    url = _url_values(key)
    if url and not changed:
        known = [options[labels.index(u)] for u in url if u in labels]
        unknown = [u for u in url if u not in labels]
        if unknown:
            shown = ", ".join(f"« {u} »" for u in unknown)
            notice(f"{what} {shown} introuvable(s) ici : ignoré(s).")
        if known:
            return known
    kept = _kept().get(key)
    if not changed and kept and all(k in options for k in kept):
        return list(kept)
    return list(default)


def remember(key: str, value: Any, labels: Sequence[str] | str | None) -> None:
    """After the widget: keep the value for other pages and make the URL say it."""
    _kept()[key] = value
    write_url(key, labels)


def set_value(key: str, value: Any) -> None:
    """Set a widget's value before it is drawn (no default is then passed to the widget, so
    Streamlit does not warn about a value set twice)."""
    st.session_state[key] = value
