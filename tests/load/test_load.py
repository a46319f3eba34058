"""Load: the real server holds 20 concurrent sessions that switch pages and move sliders.

Each session is a websocket client speaking Streamlit's protocol (``stclient``), like a browser
tab: it opens the home page, then, for a bounded time, switches to a random page and moves that
page's sliders / selectors. Every script run must finish without an exception element, without
an ``st.error`` box and without a traceback in the server log. The server's resident memory is
read before (after a warm-up visit of every page) and after the load; the growth is printed and
must stay under a generous bound (caches are bounded: ``max_entries`` on ``st.cache_data``).

Run alone and see the figures: ``.venv/bin/pytest tests/load -s``.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stclient as c
from conftest import SOURCES

SESSIONS = 20
DURATION_S = 25.0  # each session acts for this long (then finishes its current action)
MAX_GROWTH_MIB = 400  # generous bound on the server's RSS growth during the load
SEED = 7


@dataclass
class Stats:
    runs: int = 0
    page_switches: int = 0
    slider_moves: int = 0
    selections: int = 0
    errors: list[str] = field(default_factory=list)


def act(session: c.Session, rng: random.Random, stats: Stats, pages: list[str]) -> None:
    """One user step: open a random page, then move what that page offers."""
    page = rng.choice(pages)
    run = session.run(page=page)
    stats.runs += 1
    stats.page_switches += 1
    check(run, stats, f"page {page}")
    # the weights page: SAÉ target range slider
    for el in run.widgets("slider"):
        if el.key_is("cible"):
            lo = rng.randrange(0, 50, 5)
            run = session.run(widgets=[c.slider_state(el, [lo, lo + rng.randrange(5, 50, 5)])])
            stats.runs += 1
            stats.slider_moves += 1
            check(run, stats, f"slider cible on {page}")
            break
    # the simulation page: grade select_sliders inside a fragment (as the browser sends them)
    grades = [el for el in run.widgets("slider") if el.proto.options]
    for el in rng.sample(grades, min(3, len(grades))):
        run = session.run(
            widgets=[c.select_slider_state(el, rng.choice(list(el.proto.options)))],
            fragment_id=el.fragment_id,
        )
        stats.runs += 1
        stats.slider_moves += 1
        check(run, stats, f"grade slider {el.id[-20:]} on {page}")
    # pages with a semester selector: pick another semester
    for el in run.widgets("selectbox"):
        if el.key_is("semestre") and len(el.proto.options) > 1:
            run = session.run(widgets=[c.string_state(el, rng.choice(list(el.proto.options)))])
            stats.runs += 1
            stats.selections += 1
            check(run, stats, f"semester on {page}")
            break


def check(run: c.Run, stats: Stats, what: str) -> None:
    if not run.ok:
        stats.errors.append(f"{what}: {run.errors or run.finished}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from butdata.store import build_store

    d = tmp_path_factory.mktemp("load")
    db = d / "load.duckdb"
    build_store(SOURCES, db)
    log = d / "server.log"
    proc, port = c.start_server(db, log)
    yield proc, port, log
    c.stop_server(proc)


@pytest.mark.slow
def test_twenty_concurrent_sessions_switch_pages_and_move_sliders(server):
    proc, port, log = server
    warm = c.Session(port, timeout=120)
    first = warm.run()
    assert first.ok, first.errors
    pages = sorted(warm.pages)
    assert len(pages) >= 4, pages  # home + the dashboard pages
    for page in pages:  # warm-up: imports, first queries, caches
        assert warm.run(page=page).ok
    warm.close()
    rss_before = c.rss_kib(proc.pid)

    stats = [Stats() for _ in range(SESSIONS)]
    sessions: list[c.Session] = []
    opened = threading.Barrier(SESSIONS + 1)
    concurrent = {"open": 0, "max": 0}
    lock = threading.Lock()

    def user(i: int) -> None:
        rng = random.Random(SEED * 1000 + i)
        s = stats[i]
        try:
            session = c.Session(port, timeout=120)
            sessions.append(session)
            with lock:
                concurrent["open"] += 1
                concurrent["max"] = max(concurrent["max"], concurrent["open"])
            check(session.run(), s, "home")
            s.runs += 1
        except Exception as exc:
            s.errors.append(f"connect: {exc!r}")
            opened.wait()
            return
        opened.wait()  # every session is open before anyone starts acting
        deadline = time.monotonic() + DURATION_S
        try:
            while time.monotonic() < deadline:
                act(session, rng, s, pages)
        except Exception as exc:
            s.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            with lock:
                concurrent["open"] -= 1
            session.close()

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(SESSIONS)]
    for t in threads:
        t.start()
    opened.wait()
    for t in threads:
        t.join(timeout=DURATION_S + 240)
    assert not any(t.is_alive() for t in threads), "a session hung"
    rss_after = c.rss_kib(proc.pid)

    errors = [e for s in stats for e in s.errors]
    total = Stats(
        runs=sum(s.runs for s in stats),
        page_switches=sum(s.page_switches for s in stats),
        slider_moves=sum(s.slider_moves for s in stats),
        selections=sum(s.selections for s in stats),
    )
    growth_mib = (rss_after - rss_before) / 1024
    print(
        f"\n[load] {SESSIONS} sessions held concurrently (max open: {concurrent['max']}), "
        f"{total.runs} script runs: {total.page_switches} page switches, "
        f"{total.slider_moves} slider moves, {total.selections} semester changes, "
        f"{len(errors)} errors; server RSS {rss_before / 1024:.0f} MiB -> "
        f"{rss_after / 1024:.0f} MiB (growth {growth_mib:+.0f} MiB)"
    )
    assert errors == []
    assert concurrent["max"] == SESSIONS
    assert all(s.page_switches >= 1 for s in stats), [s.page_switches for s in stats]
    assert total.slider_moves > 0 and total.selections > 0
    server_log = log.read_text(errors="replace")
    assert "Traceback" not in server_log and "unexpected error" not in server_log, server_log[
        -3000:
    ]
    assert growth_mib < MAX_GROWTH_MIB


# --------------------------------------------------------------------------- readers + an editor

ESSAI = (
    "formation,semestre,parcours,UE,Code module,Intitulé du module,Coefficient\n"
    "QLIO,1,Essai,UE11,R1.01,Anglais,{a}\n"
    "QLIO,1,Essai,UE12,SAE1.01,Projet,{b}\n"
)
EDITOR_PASSWORD = "mot-de-passe-de-charge"


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    import shutil

    from butdata import passwords
    from butdata.store import build_store

    d = tmp_path_factory.mktemp("load-shared")
    sources = d / "sources"
    shutil.copytree(SOURCES, sources)
    db = d / "load.duckdb"
    build_store(sources, db)
    secrets = d / "secrets.toml"
    passwords.add_editor("charge", EDITOR_PASSWORD, secrets)
    log = d / "server.log"
    proc, port = c.start_server(db, log, {"BUTDATA_SHARED": "1", "BUTDATA_SECRETS": str(secrets)})
    yield proc, port, log, sources, db
    c.stop_server(proc)


def _key(run: c.Run, kind: str, key: str) -> c.Element:
    return next(e for e in run.widgets(kind) if e.key_is(key))


@pytest.mark.slow
def test_twenty_readers_while_an_editor_imports(shared_server):
    from butdata.store.journal import read as read_journal

    proc, port, log, sources, db = shared_server
    warm = c.Session(port, timeout=120)
    assert warm.run().ok
    pages = sorted(warm.pages)
    for page in pages:
        assert warm.run(page=page).ok
    warm.close()

    stats = [Stats() for _ in range(SESSIONS)]
    imports: list[float] = []
    editor_errors: list[str] = []
    opened = threading.Barrier(SESSIONS + 2)
    stop = threading.Event()

    def reader(i: int) -> None:
        rng, s = random.Random(SEED * 2000 + i), stats[i]
        try:
            session = c.Session(port, timeout=120)
            check(session.run(), s, "home")
        except Exception as exc:
            s.errors.append(f"connect: {exc!r}")
            opened.wait()
            return
        opened.wait()
        try:
            while not stop.is_set():
                act(session, rng, s, pages)
        except Exception as exc:
            s.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            session.close()

    def editor() -> None:
        try:
            s = c.Session(port, timeout=120)
            s.run()
            page = s.run(page="Donnees")
            submit = next(e for e in page.widgets("button") if e.proto.label == "Se connecter")
            signed = s.run(
                widgets=[
                    c.string_state(_key(page, "text_input", "auth_name"), "charge"),
                    c.string_state(_key(page, "text_input", "auth_password"), EDITOR_PASSWORD),
                    c.trigger_state(submit.id),
                ]
            )
            uploader = _key(signed, "file_uploader", "import_file")
        except Exception as exc:
            editor_errors.append(f"sign-in: {exc!r}")
            opened.wait()
            return
        opened.wait()
        try:
            for k in range(4):  # add, then replace three times (values change each time)
                content = ESSAI.format(a=k + 1, b=k + 2).encode()
                urls = s.upload("mcc_charge.csv", content)
                state = c.upload_state(uploader.id, "mcc_charge.csv", len(content), urls)
                uploaded = s.run(widgets=[state])
                check = _key(uploaded, "button", "import_check")  # read on « Vérifier »
                preview = s.run(widgets=[state, c.trigger_state(check.id)])
                t = time.monotonic()
                done = s.run(
                    widgets=[state, c.trigger_state(_key(preview, "button", "import_confirm").id)]
                )
                imports.append(time.monotonic() - t)
                if not done.ok or not any("Import terminé" in x for x in done.texts("alert")):
                    editor_errors.append(f"import {k}: {done.errors}")
                time.sleep(2)
        except Exception as exc:
            editor_errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            stop.set()
            s.close()

    threads = [threading.Thread(target=reader, args=(i,), daemon=True) for i in range(SESSIONS)]
    threads.append(threading.Thread(target=editor, daemon=True))
    for t in threads:
        t.start()
    opened.wait()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a session hung"

    # The simulation page shows an AJ decision in a red box (st.error): a result, not a failure.
    errors = [e for s in stats for e in s.errors if "st.error: **Décision :" not in e]
    runs = sum(s.runs for s in stats)
    print(
        f"\n[load] {SESSIONS} readers, {runs} script runs while an editor imported "
        f"{len(imports)} times ({', '.join(f'{x:.1f}' for x in imports)} s per confirmed "
        f"import); {len(errors)} reader errors, {len(editor_errors)} editor errors"
    )
    assert editor_errors == [], (editor_errors, errors[:5])
    assert errors == [], errors[:5]
    assert len(imports) == 4 and all(s.runs > 1 for s in stats)
    journal = read_journal(db.with_name(f"{db.stem}.journal.jsonl"))
    assert journal["outcome"].to_list() == ["réussi"] * 4
    assert journal["author"].to_list() == ["charge"] * 4
    assert "QLIO,1,Essai,UE11,R1.01,Anglais,4" in (sources / "mcc_charge.csv").read_text()
    server_log = log.read_text(errors="replace")
    assert "Traceback" not in server_log and "unexpected error" not in server_log, server_log[
        -3000:
    ]
