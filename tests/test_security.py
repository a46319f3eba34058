"""Security (issue 7): SQL parameterised everywhere, source text never rendered as HTML, upload
limit set, no network access at runtime.

- Hostile strings (quotes, SQL fragments, LIKE wildcards, unicode, very long) go through every
  public function of ``butdata.analysis.queries`` (and the store-reading ones of ``butdata.exports.tidy``)
  found by introspection, on a WRITABLE copy of the store (an injection could do harm there):
  no SQL error, nothing matches (the string is a value, not SQL), the store is unchanged.
- The same strings go through every URL parameter of every page (the keys are read from the
  widgets bound to the URL, plus any ``st.query_params`` read in the code): no exception, no
  error box, the store file unchanged.
- Static (ast): no ``execute(`` / ``sql(`` call in butdata/, ui/, pages/, app.py builds SQL from
  non-constant input (f-string, ``%``, ``.format``, ``+``), except a short allow-list of constant
  identifiers; ``unsafe_allow_html=True`` only receives constant strings or the output of an
  allow-listed HTML builder.
- A document with ``<script>`` / ``<img onerror>`` in a title (hence a parcours), a UE name and a
  module name builds; every page shows that text, and never in an element that allows HTML.
- ``.streamlit/config.toml``: upload limit, no usage statistics, no error details; the pages run
  under a socket guard that fails on any non-loopback connection.
"""

from __future__ import annotations

import ast
import hashlib
import inspect
import re
import shutil
import socket
import tomllib
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from conftest import QLIO, ROOT
from streamlit.testing.v1 import AppTest

from butdata import labels
from butdata.analysis import queries, wide
from butdata.errors import ButdataError
from butdata.exports import tidy as export
from butdata.store import build_store

APP = ROOT / "app.py"
PAGES = ["app.py"] + sorted(
    f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py") if not p.name.startswith(("_", "."))
)
CODE_DIRS = [ROOT / "butdata", ROOT / "ui", ROOT / "pages"]
CODE_FILES = sorted(p for d in CODE_DIRS for p in d.rglob("*.py")) + [APP]

HOSTILE = [
    "'; DROP TABLE t_tables; --",
    '" OR 1=1 --',
    "' OR '1'='1",
    "QLIO' UNION SELECT * FROM t_coefficients --",
    "%",
    "_",
    "%' OR 1=1 --",
    "$formation",
    "?",
    "\\'; COPY t_tables TO '/tmp/pwned.csv'; --",
    "ÉÇÛ漢字 ٣٫٥ \u202e <b>",
    "\x00",
    "A" * 20_000,
]
# a shorter list for URL parameters (each costs a page run)
HOSTILE_URL = [
    "'; DROP TABLE t_tables; --",
    '" OR 1=1 --',
    "%",
    "_",
    "ÉÇÛ漢字 \u202e <b>",
    "<script>alert(1)</script>",
    "A" * 5_000,
]
XSS = "<script>alert('x')</script><img src=x onerror=alert('y')>"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def content(con: duckdb.DuckDBPyConnection) -> list:
    """Every table of the database (names and rows): what an injection could change."""
    names = [
        r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
    ]
    views = [
        r[0]
        for r in con.execute(
            "SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1"
        ).fetchall()
    ]
    rows = [
        con.execute(
            f"SELECT count(*), hash(list(t ORDER BY ALL)) FROM {n} t"
        ).fetchall()  # n: catalog
        for n in names
    ]
    return [names, views, rows]


# --------------------------------------------------------------------------- SQL via functions


def _store_functions() -> list[tuple[str, object]]:
    """Public functions of queries/export/wide whose first parameter is a connection."""
    out = []
    for mod in (queries, export, wide):
        for name, fn in inspect.getmembers(mod, inspect.isfunction):
            if fn.__module__ != mod.__name__ or name.startswith("_"):
                continue
            params = list(inspect.signature(fn).parameters.values())
            if params and params[0].name == "con":
                out.append((f"{mod.__name__.split('.')[-1]}.{name}", fn))
    return out


def _arguments(fn, hostile: str) -> dict | None:
    """Hostile values for every string parameter, neutral values for the others (None if the
    function writes files and takes a path)."""
    args = {}
    for p in list(inspect.signature(fn).parameters.values())[1:]:
        ann = str(p.annotation)
        if "Path" in ann:
            return None
        if "list[str]" in ann or "Sequence[str]" in ann:
            args[p.name] = [hostile, "000-qlio-s1"[: len(hostile) % 3] + hostile]
        elif "str" in ann:
            args[p.name] = hostile
        elif p.default is not inspect.Parameter.empty:
            args[p.name] = p.default
        else:
            raise AssertionError(f"no value for {fn.__name__}({p.name}: {ann})")
    return args


def _takes_strings(fn) -> bool:
    return any(
        "str" in str(p.annotation) for p in list(inspect.signature(fn).parameters.values())[1:]
    )


def test_every_store_function_is_found():
    names = {n for n, _ in _store_functions()}
    # sanity: introspection sees the functions the pages use
    assert {
        "queries.tables_of",
        "queries.year_options",
        "queries.warnings_list",
        "queries.coefficients_of",
        "tidy.select_tables",
        "wide.wide_table",
    } <= names


@pytest.fixture()
def writable_store(store_path, tmp_path) -> Path:
    copy = tmp_path / "writable.duckdb"
    shutil.copy(store_path, copy)
    return copy


def test_hostile_strings_through_every_query_function(store_path, writable_store):
    original = sha256(store_path)
    con = duckdb.connect(str(writable_store))  # read-write on purpose: an injection would work
    try:
        before = content(con)
        called = []
        for name, fn in _store_functions():
            if not _takes_strings(fn):
                continue
            for hostile in HOSTILE:
                args = _arguments(fn, hostile)
                if args is None:
                    continue
                called.append(name)
                try:
                    result = fn(con, **args)
                except ButdataError as exc:  # a clear refusal (e.g. unknown formation) is fine
                    assert not isinstance(exc.__cause__ or exc.__context__, duckdb.Error), (
                        name,
                        exc,
                    )
                    continue
                except duckdb.Error as exc:
                    pytest.fail(f"SQL error in {name}({hostile[:40]!r}): {exc}")
                # the string matched nothing: it was compared as a value, not run as SQL
                if isinstance(result, pl.DataFrame) and name != "queries.year_options":
                    assert result.height == 0, (name, hostile[:40])
                elif isinstance(result, list):
                    assert result == [], (name, hostile[:40])
        assert content(con) == before
    finally:
        con.close()
    assert sha256(store_path) == original
    assert {
        "queries.tables_of",
        "queries.semesters",
        "queries.warnings_list",
        "queries.table_rows",
        "tidy.tidy_rows",
    } <= set(called)


def test_label_functions_keep_hostile_text_as_text():
    for hostile in HOSTILE:
        assert hostile in labels.doc_label("x", hostile)
        assert hostile in labels.parcours_label(hostile)
        assert hostile in labels.table_label(
            {"semester": 1, "parcours": hostile, "source": "000_x"}
        )
        assert len(labels.compact_labels([f"S1 · {hostile}", "S1 · b"])) == 2


# --------------------------------------------------------------------------- static SQL check

SQL_METHODS = {"execute", "executemany", "sql", "query"}
# Identifiers allowed inside f-string SQL, each a constant of the code (never user input):
ALLOWED_SQL_NAMES = {
    (
        "butdata/store/build.py",
        "name",
    ): "keys of the fixed dict built by _frames (t_sources, t_tables…)",
    (
        "butdata/devtools/synth/profile.py",
        "where",
    ): "learn_profile's fixed filter; every call passes a constant",
    (
        "butdata/devtools/synth/write.py",
        "name",
    ): "keys of the dict literal returned by generate() (t_sources…)",
}


def _module_constants(tree: ast.Module, rel: str = "") -> dict[str, ast.expr]:
    """Module-level ``NAME = <expr>`` assignments, and names imported from another butdata
    module (resolved in that module)."""
    consts = {}
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            consts[node.targets[0].id] = node.value
        elif (
            isinstance(node, ast.ImportFrom)
            and rel.startswith("butdata/")
            and node.level == 0
            and (node.module or "").startswith("butdata.")
        ):
            other = ROOT / f"{(node.module or '').replace('.', '/')}.py"
            if other.exists():
                theirs = _module_constants(ast.parse(other.read_text(encoding="utf-8")))
                for alias in node.names:
                    if alias.name in theirs:
                        consts[alias.asname or alias.name] = theirs[alias.name]
    return consts


def _constant_loop_vars(tree: ast.Module, consts: dict[str, ast.expr]) -> dict[str, ast.expr]:
    """Names bound only by ``for``/comprehension loops over constant tuples or lists."""
    bound: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.For, ast.comprehension)) and isinstance(node.target, ast.Name):
            bound.setdefault(node.target.id, []).append(node.iter)
    return {
        name: iters[0]
        for name, iters in bound.items()
        if len(iters) == 1
        and isinstance(iters[0], (ast.Tuple, ast.List))
        and _is_constant_sql(iters[0], consts, {}, set())
    }


def _is_constant_sql(
    node: ast.expr,
    consts: dict[str, ast.expr],
    loop_vars: dict[str, ast.expr],
    allowed: set[str],
    depth: int = 0,
) -> bool:
    if depth > 10:
        return False
    rec = lambda n: _is_constant_sql(n, consts, loop_vars, allowed, depth + 1)  # noqa: E731
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.Name):
        if node.id in allowed:
            return True
        if node.id in loop_vars:
            return rec(loop_vars[node.id])
        return node.id in consts and rec(consts[node.id])
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(rec(e) for e in node.elts)
    if isinstance(node, ast.JoinedStr):
        return all(rec(v.value) if isinstance(v, ast.FormattedValue) else True for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return rec(node.left) and rec(node.right)
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "join"
        and isinstance(node.func.value, ast.Constant)
        and len(node.args) == 1
    ):
        arg = node.args[0]
        if isinstance(arg, ast.GeneratorExp) and len(arg.generators) == 1:
            gen = arg.generators[0]
            if isinstance(gen.target, ast.Name):
                inner = dict(loop_vars, **{gen.target.id: gen.iter})
                return _is_constant_sql(
                    gen.iter, consts, loop_vars, allowed, depth + 1
                ) and _is_constant_sql(arg.elt, consts, inner, allowed, depth + 1)
        return rec(arg)
    return False  # %-formatting, .format(), calls, attributes, parameters: not provably constant


def _functions_params(tree: ast.Module) -> dict[ast.AST, set[str]]:
    return {
        f: {a.arg for a in f.args.args + f.args.kwonlyargs}
        for f in ast.walk(tree)
        if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
    }


def _sql_calls(tree: ast.Module) -> Iterator[tuple[ast.Call, ast.expr]]:
    """SQL method calls, and calls of the SQL helpers (functions that pass one of their
    parameters to an SQL method, e.g. ``records(con, sql, params)``) with that argument."""
    helpers = _sql_helpers()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = (
            node.func.attr
            if isinstance(node.func, ast.Attribute)
            else getattr(node.func, "id", None)
        )
        if isinstance(node.func, ast.Attribute) and name in SQL_METHODS and node.args:
            yield node, node.args[0]
        elif name in helpers and len(node.args) > helpers[name]:
            yield node, node.args[helpers[name]]


def _sql_helpers() -> dict[str, int]:
    """Function name -> index of the parameter it runs as SQL, over every code file."""
    found = {}
    for path in CODE_FILES:
        for f in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(f, ast.FunctionDef) or f.name.startswith("_"):
                continue
            params = [a.arg for a in f.args.args]
            for node in ast.walk(f):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SQL_METHODS
                    and node.args
                    and isinstance(node.args[0], ast.Name)
                    and node.args[0].id in params
                ):
                    found[f.name] = params.index(node.args[0].id)
    return found


def _is_helper_parameter(tree: ast.Module, call: ast.Call, name: str) -> bool:
    """``call`` is inside a public SQL helper and runs its parameter ``name``."""
    helpers = _sql_helpers()
    for f in ast.walk(tree):
        if (
            isinstance(f, ast.FunctionDef)
            and f.name in helpers
            and any(n is call for n in ast.walk(f))
        ):
            return [a.arg for a in f.args.args][helpers[f.name]] == name
    return False


def _local_sql_sources(tree: ast.Module, name: str) -> list[ast.expr]:
    """Every value assigned to ``name`` anywhere in the module, and every argument passed for a
    parameter ``name`` of a function of the module (e.g. ``_records(con, sql, params)``)."""
    out = []
    funcs = {f.name: f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name) and t.id == name:
                    out.append(node.value)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in funcs:
            params = [a.arg for a in funcs[node.func.id].args.args]
            if name in params:
                i = params.index(name)
                if i < len(node.args):
                    out.append(node.args[i])
                out += [k.value for k in node.keywords if k.arg == name]
    return out


def _parsed_code():
    """(path relative to the project, AST, module constants) of every code file."""
    for path in CODE_FILES:
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        yield rel, tree, _module_constants(tree, rel)


def test_sql_is_never_built_from_variable_input():
    problems, checked = [], 0
    for rel, tree, consts in _parsed_code():
        loops = _constant_loop_vars(tree, consts)
        allowed = {n for (f, n) in ALLOWED_SQL_NAMES if f == rel}
        for call, arg in _sql_calls(tree):
            checked += 1
            if _is_constant_sql(arg, consts, loops, allowed):
                continue
            if isinstance(arg, ast.Name):  # a local variable or a parameter: check what feeds it
                if _is_helper_parameter(tree, call, arg.id):
                    continue  # every call of the helper is checked where it is made
                sources = _local_sql_sources(tree, arg.id)
                if sources and all(_is_constant_sql(s, consts, loops, allowed) for s in sources):
                    continue
            problems.append(f"{rel}:{call.lineno}: {ast.unparse(arg)[:80]}")
    assert problems == [], "SQL built from non-constant input:\n" + "\n".join(problems)
    assert checked >= 20  # the scan does see the queries


def test_allow_listed_sql_identifiers_are_constants():
    """store/build.py: ``name`` iterates over the fixed table names of _frames; devtools/synth:
    ``name`` iterates over the constant keys of generate(), every call of learn_profile passes a
    constant filter (or none)."""
    tree = ast.parse((ROOT / "butdata/store/build.py").read_text(encoding="utf-8"))
    loops = [
        n
        for n in ast.walk(tree)
        if isinstance(n, ast.For)
        and isinstance(n.target, ast.Tuple)
        and ast.unparse(n.target) == "(name, frame)"
    ]
    assert loops and all("_frames(" in ast.unparse(n.iter) for n in loops)
    frames = next(
        f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef) and f.name == "_frames"
    )
    assert (
        "for k in ('t_sources', 't_tables', 't_ues', 't_modules', 't_coefficients', 't_warnings')"
        in ast.unparse(frames).replace('"', "'")
    )
    frames_module = (ROOT / "butdata/devtools/synth/frames.py").read_text(encoding="utf-8")
    generate = next(
        f
        for f in ast.walk(ast.parse(frames_module))
        if isinstance(f, ast.FunctionDef) and f.name == "generate"
    )
    returns = [r.value for r in ast.walk(generate) if isinstance(r, ast.Return)]
    assert returns and all(
        isinstance(r, ast.Dict) and all(isinstance(k, ast.Constant) for k in r.keys)
        for r in returns
    )
    synth = ast.parse((ROOT / "butdata/devtools/synth/write.py").read_text(encoding="utf-8"))
    loops = [
        n
        for n in ast.walk(synth)
        if isinstance(n, ast.For) and ast.unparse(n.target) == "(name, frame)"
    ]
    assert loops and all(ast.unparse(n.iter) == "frames.items()" for n in loops)
    assert "frames = generate(" in ast.unparse(synth)
    for path in CODE_FILES + sorted((ROOT / "benchmarks").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "learn_profile"
            ):
                where = node.args[1:2] + [k.value for k in node.keywords if k.arg == "where"]
                assert all(isinstance(w, ast.Constant) for w in where), (path, ast.unparse(node))


# --------------------------------------------------------------------------- static HTML check

# Functions that build HTML for unsafe_allow_html from values computed by the app (UE codes,
# numbers, decision codes); the end-to-end test below shows source text never reaches them.
ALLOWED_HTML_BUILDERS = {
    ("ui/simulation_view.py", "_card"),  # UE codes and computed numbers, escaped
    ("ui/source_view.py", "_excerpt_html"),  # document lines, escaped
    ("ui/overview.py", "_map_html"),  # the home map: document titles and names, escaped
}


def test_unsafe_allow_html_only_takes_constants():
    problems, uses = [], 0
    for rel, tree, consts in _parsed_code():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            kw = {k.arg: k.value for k in node.keywords}
            if "unsafe_allow_html" not in kw:
                continue
            if (
                isinstance(kw["unsafe_allow_html"], ast.Constant)
                and kw["unsafe_allow_html"].value is False
            ):
                continue
            uses += 1
            body = node.args[0] if node.args else kw.get("body")
            if body is not None and _is_constant_sql(body, consts, {}, set()):
                continue
            if (
                isinstance(body, ast.Call)
                and isinstance(body.func, ast.Name)
                and (rel, body.func.id) in ALLOWED_HTML_BUILDERS
            ):
                continue
            problems.append(f"{rel}:{node.lineno}: {ast.unparse(node)[:100]}")
        for node in ast.walk(tree):  # st.html / components.html render raw HTML too
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "html"
            ):
                arg = node.args[0] if node.args else None
                if arg is None or not _is_constant_sql(arg, consts, {}, set()):
                    problems.append(f"{rel}:{node.lineno}: {ast.unparse(node)[:100]}")
    assert problems == [], "HTML from non-constant input:\n" + "\n".join(problems)
    assert uses >= 1


# --------------------------------------------------------------------------- pages: helpers


@pytest.fixture(autouse=True)
def _fresh_caches():
    import streamlit as st

    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def walk(node) -> Iterator:
    yield node
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield from walk(child)


def run_page(page: str, params: dict[str, str] | None = None) -> AppTest:
    """Open ``page`` the way a pasted link does (pages run inside the app's navigation)."""
    at = AppTest.from_file(str(APP), default_timeout=60)
    if page != "app.py":
        at.run()
    for k, v in (params or {}).items():
        at.query_params[k] = v
    return at.run() if page == "app.py" else at.switch_page(page).run()


def assert_clean(at: AppTest, what: str) -> None:
    assert not at.exception, (what, [e.value for e in at.exception])
    assert not at.error, (what, [e.value for e in at.error])


def url_keys(at: AppTest) -> set[str]:
    keys = set()
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        key = getattr(proto, "query_param_key", "") if proto is not None else ""
        if key:
            keys.add(key)
    return keys


def code_query_params() -> set[str]:
    """Parameters read by hand (st.query_params["x"] / .get("x")) anywhere in the app code."""
    found = set()
    for path in CODE_FILES:
        text = path.read_text(encoding="utf-8")
        found |= set(
            re.findall(r"query_params(?:\[|\.get\(|\.get_all\()\s*[\"']([^\"']+)[\"']", text)
        )
    return found


# --------------------------------------------------------------------------- URL parameters


@pytest.fixture(scope="module")
def page_keys(store_path) -> dict[str, set[str]]:
    """URL parameter names of every page (bound widgets seen in a default run + code reads)."""
    import os

    import streamlit as st

    os.environ["BUTDATA_DB"] = str(store_path)
    keys = {}
    for page in PAGES:
        st.cache_data.clear()
        st.cache_resource.clear()
        at = run_page(page)
        assert_clean(at, page)
        # the parameters the page writes into the URL (ui.state), bound widgets, and code reads
        keys[page] = set(at.query_params) | url_keys(at) | code_query_params()
    return keys


def test_pages_have_url_parameters(page_keys):
    assert all(page_keys[p] for p in PAGES if p != "app.py"), page_keys
    assert {"formation", "semestre"} <= set().union(*page_keys.values())


@pytest.mark.parametrize("page", PAGES)
def test_hostile_url_parameters_on_every_page(page, page_keys, store_path, monkeypatch):
    monkeypatch.setenv("BUTDATA_DB", str(store_path))
    original = sha256(store_path)
    keys = sorted(page_keys[page]) + ["'; DROP TABLE t_tables; --"]  # an unknown, hostile key too
    for hostile in HOSTILE_URL:  # every parameter at once
        at = run_page(page, {k: hostile for k in keys})
        assert_clean(at, (page, hostile[:30]))
        assert at.title and at.title[0].value  # the page itself rendered
    for key in keys:  # each parameter alone with an SQL fragment
        at = run_page(page, {key: "' OR 1=1; DROP TABLE t_tables; --"})
        assert_clean(at, (page, key))
    assert sha256(store_path) == original


# --------------------------------------------------------------------------- HTML in sources


@pytest.fixture(scope="module")
def xss_store(tmp_path_factory) -> Path:
    """QLIO with script/img-onerror text in a semester title (it becomes the parcours), in a UE
    name and in a module name (S1, line numbers as in the real document)."""
    lines = QLIO.read_text(encoding="utf-8").split("\n")
    assert lines[7].strip() == "Semestre 1 BUT QLIO" and lines[10].startswith("UE11 - ")
    r101 = next(i for i, line in enumerate(lines) if line.startswith("R1.01 Anglais "))
    lines[7] += " " + XSS
    lines[10] = "UE11 - Piloter " + XSS
    lines[r101] = lines[r101].replace("Anglais", "Anglais " + XSS.replace(" ", "\u00a0"), 1)
    d = tmp_path_factory.mktemp("xss")
    (d / "src").mkdir()
    (d / "src" / "000_xss.txt").write_text("\n".join(lines), encoding="utf-8")
    build_store(d / "src", d / "xss.duckdb")
    return d / "xss.duckdb"


def test_html_in_sources_is_stored_as_text(xss_store):
    con = duckdb.connect(str(xss_store), read_only=True)
    try:
        assert (
            con.execute("SELECT count(*) FROM tables WHERE title LIKE '%<script>%'").fetchone()[0]
            == 1
        )
        assert (
            con.execute("SELECT count(*) FROM ues WHERE name LIKE '%onerror%'").fetchone()[0] == 1
        )
        assert (
            con.execute(
                "SELECT count(*) FROM modules WHERE module_name LIKE '%<script>%'"
            ).fetchone()[0]
            >= 1
        )
    finally:
        con.close()


def _html_elements(at: AppTest) -> tuple[list[str], list[str]]:
    """(bodies of elements that allow HTML, text of every element that shows the hostile text)."""
    allowing, showing = [], []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        text = str(proto)
        if getattr(proto, "allow_html", False) or getattr(proto, "unsafe_allow_html", False):
            allowing.append(getattr(proto, "body", text))
        if "script" in text and "alert" in text:
            showing.append(type(node).__name__)
    return allowing, showing


XSS_VISITS = [
    ("app.py", {}),
    ("pages/1_Comparer_les_parcours.py", {"semestre": "S1"}),
    ("pages/2_Poids_par_UE.py", {"semestre": "S1"}),
    ("pages/3_Simulation_de_notes.py", {}),
    ("pages/4_Donnees.py", {"semestre": "S1"}),
]


@pytest.mark.parametrize(
    "page,params",
    [v for v in XSS_VISITS if (ROOT / v[0]).exists()],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_pages_render_source_html_as_text(page, params, xss_store, monkeypatch):
    monkeypatch.setenv("BUTDATA_DB", str(xss_store))
    at = run_page(page, params)
    assert_clean(at, page)
    if page.endswith("Simulation_de_notes.py"):
        labels = at.selectbox(key="periode").options
        s1 = [lab for lab in labels if lab.startswith("S1 ")]
        assert s1 and "<script>" in s1[0]  # the parcours label keeps the hostile text as text
        at.selectbox(key="periode").set_value(s1[0]).run()
        at.button(key="preset_10").click().run()
        assert_clean(at, page)
    allowing, showing = _html_elements(at)
    if page.endswith("Simulation_de_notes.py"):
        assert any("ue-card" in b for b in allowing)  # the HTML cards are seen (and checked)
    if page == "app.py":  # the home map, with the hostile title in a square's text
        assert any("bd-map" in b and "&lt;script&gt;" in b for b in allowing)
    assert showing, f"{page}: the hostile text is not shown at all (test would prove nothing)"
    for body in allowing:
        # a real tag or an event attribute inside a real tag (escaped text « &lt;img … onerror »
        # of a shown document line is text, not markup; nor is a table id made of it and used
        # as a hook, « data-table='000-_img_src_x_onerror_… ' »)
        lowered = body.lower()
        assert "<script" not in lowered and "<img" not in lowered, (page, body[:300])
        assert not re.search(r"<[^>]*\sonerror\s*=", lowered), (page, body[:300])


# --------------------------------------------------------------------------- config, network


def test_streamlit_config_limits():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert 0 < cfg["server"]["maxUploadSize"] <= 50  # MB; a coefficient template is small
    assert cfg["browser"]["gatherUsageStats"] is False
    assert cfg["client"]["showErrorDetails"] in ("none", False)
    assert cfg["server"].get("enableXsrfProtection", True) is True
    assert cfg["server"].get("enableCORS", True) is True


def test_streamlit_reads_the_config():
    from streamlit import config

    config.get_config_options(force_reparse=True, options_from_flags={})
    # the tests run from the project root, where .streamlit/config.toml is
    assert config.get_option("browser.gatherUsageStats") is False
    assert config.get_option("server.maxUploadSize") <= 50


def _is_loopback(address) -> bool:
    if isinstance(address, (str, bytes)):
        return True  # unix socket path
    host = str(address[0])
    return host in ("localhost", "::1", "0.0.0.0", "::") or host.startswith("127.")


def test_pages_make_no_network_connection(store_path, monkeypatch):
    attempts = []
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def guard(address):
        if not _is_loopback(address):
            attempts.append(address)
            raise OSError(f"network access blocked by test: {address}")

    def connect(self, address):
        guard(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        guard(address)
        return real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in (None, "localhost") and not str(host).startswith(("127.", "::1")):
            attempts.append(host)
            raise socket.gaierror(f"name resolution blocked by test: {host}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setenv("BUTDATA_DB", str(store_path))
    for page in PAGES:
        at = run_page(page)
        assert_clean(at, page)
    assert attempts == []


def test_result_card_escapes_every_text():
    # the one HTML builder allowed above: nothing it is given can become markup
    from ui.simulation_view import _card

    card = _card(
        "<script>alert(1)</script>",
        "<b>9</b>",
        "#2e7d32",
        [("<img src=x onerror=alert(1)> : ", "<i>12</i>")],
        "UE'><script>",
    )
    assert "<script>" not in card and "<img" not in card and "<i>" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card and "&lt;i&gt;12&lt;/i&gt;" in card
    assert "data-ue='UE&#x27;&gt;&lt;script&gt;'" in card


def test_source_excerpt_escapes_every_text():
    # the other HTML builder: document lines are shown as text, the value marked, nothing else
    from butdata.analysis.source_view import Excerpt
    from ui.source_view import _excerpt_html

    ex = Excerpt(
        "x.txt", 2, ((1, "<script>alert(1)</script>"), (2, "R1.01 <b>x</b> 1.5")), (15, 18)
    )
    out = _excerpt_html(ex)
    assert "<script>" not in out and "<b>x</b>" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "&lt;b&gt;x&lt;/b&gt;" in out
    assert "<mark" in out and ">1.5</mark>" in out


def test_no_python_function_runs_inside_polars():
    """``map_elements`` / ``map_batches`` call Python from polars' threads: with several
    sessions rendering at once the server deadlocked (every session timed out). Format in
    Python, outside polars, instead."""
    found = [
        f"{rel}:{node.lineno}"
        for rel, tree, _ in _parsed_code()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ("map_elements", "map_batches")
    ]
    assert found == []
