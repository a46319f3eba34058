"""Generic Streamlit floor of a page: what the page drew, as constant data, redrawn by
``floor_page.py`` through the same Streamlit calls (no store, no computation).

``capture(at)`` reads the messages of the last AppTest run of a page (every element and block,
by its delta path, with the fragment it belongs to) and turns them into a tree of plain nodes:
texts, headings, alerts, metrics, dataframes (their Arrow data; for a styled table its CSS and
display values, redrawn through a pandas Styler of constant data), plotly figures (their JSON
spec), widgets with their label, options, current value and key, columns, tabs, expanders,
containers, the sidebar. ``floor_page.py`` draws that tree: ``st.dataframe`` of the same Arrow
table, ``st.plotly_chart`` of the same figure (built once, constant), widgets with the same keys
(so the benchmark can make the same selection change on the floor), and the elements the page
drew inside a fragment inside a fragment of the floor. What has no mapping is counted in
``unmapped`` (reported, never hidden).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.testing.v1 import local_script_runner

_CAPTURED: list[list[Any]] = []
_original_parse = local_script_runner.parse_tree_from_messages


def _parse_and_keep(messages):  # every AppTest run: keep a copy of its messages
    _CAPTURED[:] = [list(messages)]
    return _original_parse(messages)


def install() -> None:
    """Keep the messages of each AppTest run (call before running the page)."""
    local_script_runner.parse_tree_from_messages = _parse_and_keep


def last_messages() -> list[Any]:
    return _CAPTURED[0] if _CAPTURED else []


def _key(element_id: str) -> str | None:
    return user_key_from_element_id(element_id) if element_id else None


def _element(el: Any) -> dict[str, Any]:
    """What to redraw of one element; a widget's tooltip too (Streamlit dedents and sends it)."""
    out = _element_body(el)
    p = getattr(el, el.WhichOneof("type"))
    if out["k"] not in ("markdown", "heading", "metric", "skip") and getattr(p, "help", ""):
        out["help"] = p.help
    return out


def _element_body(el: Any) -> dict[str, Any]:
    kind = el.WhichOneof("type")
    p = getattr(el, kind)
    if kind == "markdown":
        return {"k": "markdown", "body": p.body, "html": p.allow_html, "type": p.element_type}
    if kind == "heading":
        return {"k": "heading", "tag": p.tag, "body": p.body, "divider": p.divider}
    if kind == "alert":
        return {"k": "alert", "format": p.format, "body": p.body}
    if kind == "metric":
        return {"k": "metric", "label": p.label, "body": p.body, "delta": p.delta or None}
    if kind == "dataframe":
        out = {"k": "dataframe", "data": p.arrow_data.data, "key": _key(p.id)}
        if p.editing_mode:  # st.data_editor (0 is READ_ONLY)
            out["k"] = "data_editor"
        if p.arrow_data.HasField("styler"):  # a pandas Styler: its CSS and display values too
            sty = p.arrow_data.styler
            out.update(styles=sty.styles, display=sty.display_values)
        return out
    if kind == "plotly_chart":
        return {"k": "plotly", "spec": p.spec, "key": _key(p.id)}
    if kind == "selectbox":
        return {
            "k": "selectbox",
            "label": p.label,
            "options": list(p.options),
            "index": p.default,
            "key": _key(p.id),
        }
    if kind == "multiselect":
        return {
            "k": "multiselect",
            "label": p.label,
            "options": list(p.options),
            "default": [p.options[i] for i in p.default],
            "key": _key(p.id),
        }
    if kind == "button_group":
        options = [o.content for o in p.options]
        return {
            "k": "button_group",
            "label": p.label,
            "options": options,
            "default": [options[i] for i in p.default if i < len(options)],
            "multi": p.click_mode == 1,
            "segmented": p.style == 0,
            "key": _key(p.id),
        }
    if kind == "slider":
        if p.options:
            return {
                "k": "select_slider",
                "label": p.label,
                "options": list(p.options),
                "value": [p.options[int(i)] for i in (p.value or p.default)],
                "key": _key(p.id),
            }
        return {
            "k": "slider",
            "label": p.label,
            "min": p.min,
            "max": p.max,
            "step": p.step,
            "value": list(p.value or p.default),
            "int": p.data_type == 0,
            "key": _key(p.id),
        }
    if kind == "number_input":
        return {
            "k": "number_input",
            "label": p.label,
            "value": p.value if p.HasField("value") else p.default,
            "step": p.step,
            "key": _key(p.id),
        }
    if kind in ("checkbox", "button", "download_button", "file_uploader", "text_input"):
        out: dict[str, Any] = {"k": kind, "label": p.label, "key": _key(p.id)}
        if kind == "download_button":
            out["deferred"] = bool(p.deferred_file_id)  # data made on click (a callable)
        if kind == "checkbox":
            out.update(value=p.value, toggle=p.type == 1)
        return out
    if kind == "radio":
        return {
            "k": "radio",
            "label": p.label,
            "options": list(p.options),
            "index": p.default,
            "key": _key(p.id),
        }
    if kind == "page_link":  # the floor has no pages: the same link element, to an outside URL
        return {"k": "page_link", "label": p.label, "icon": p.icon or None}
    if kind in ("empty", "spinner", "progress", "skeleton"):
        return {"k": "skip"}
    return {"k": "unmapped", "what": kind}


def _block(b: Any) -> dict[str, Any]:
    kind = b.WhichOneof("type")
    if kind == "column":
        return {"k": "column", "weight": b.column.weight}
    if kind == "tab_container":
        return {"k": "tabs"}
    if kind == "tab":
        return {"k": "tab", "label": b.tab.label}
    if kind == "expandable":
        return {"k": "expander", "label": b.expandable.label, "expanded": b.expandable.expanded}
    if kind == "flex_container":
        return {"k": "container", "horizontal": b.flex_container.direction == 2}
    if kind in ("vertical", "horizontal", "transparent", None):
        return {"k": "container", "horizontal": kind == "horizontal"}
    return {"k": "container", "horizontal": False, "unmapped": kind}


def tree(messages: list[Any]) -> dict[str, Any]:
    """The page's last drawing as a tree: {"main": [...], "sidebar": [...], "unmapped": [...]}."""
    by_path: dict[tuple[int, ...], dict[str, Any]] = {}
    for msg in messages:
        if msg.WhichOneof("type") != "delta":
            continue
        path = tuple(msg.metadata.delta_path)
        d = msg.delta
        which = d.WhichOneof("type")
        if which == "new_element":
            node = _element(d.new_element)
        elif which == "add_block":
            node = _block(d.add_block)
        else:
            continue
        node["frag"] = d.fragment_id or None
        node["ch"] = {}
        by_path[path] = node
    roots: dict[int, dict[int, dict[str, Any]]] = {0: {}, 1: {}}
    for path in sorted(by_path, key=len):
        node = by_path[path]
        parent = by_path.get(path[:-1])
        if len(path) == 2 and path[0] in roots:
            roots[path[0]][path[1]] = node
        elif parent is not None:
            parent["ch"][path[-1]] = node
    unmapped: list[str] = []

    def order(nodes: dict[int, dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for i in sorted(nodes):
            n = nodes[i]
            n["ch"] = order(n["ch"])
            if n["k"] == "unmapped" or n.get("unmapped"):
                unmapped.append(n.get("what") or n.get("unmapped"))
            out.append(n)
        return out

    return {"main": order(roots[0]), "sidebar": order(roots[1]), "unmapped": unmapped}


def capture(path: Path) -> dict[str, Any]:
    """Write the tree of the last AppTest run to ``path`` (pickle); returns it."""
    t = tree(last_messages())
    path.write_bytes(pickle.dumps(t))
    return t


def count(nodes: list[dict[str, Any]]) -> int:
    return sum(1 + count(n["ch"]) for n in nodes)
