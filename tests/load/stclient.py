"""A minimal Streamlit client speaking the server's own websocket protocol (no browser).

It does what the browser does for the tests that need a real server: connect to
``/_stcore/stream``, ask for a script run (``BackMsg.rerun_script`` with the page and the widget
states), then read ``ForwardMsg``s until ``script_finished``. Every element of the run is kept
(type, widget id, options) so that a test can move a slider or switch pages, and every
exception element or ``st.error`` box is recorded as an error.

It can also upload a file as the browser does (``file_urls_request``, then an HTTP PUT with the
XSRF cookie and header, then the uploader's widget state), press a button (trigger) and fill a
text input, so that a test can send exactly what a crafted client would.

Also: ``start_server`` (``streamlit run app.py`` on a free port, waits for ``/_stcore/health``)
and ``rss_kib`` (resident memory of a process, from ``/proc/<pid>/status``).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import websocket
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileURLs
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = Path(__file__).resolve().parents[2]
FINISHED_OK = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
WIDGET_TYPES = {
    "slider",
    "selectbox",
    "multiselect",
    "button_group",
    "button",
    "checkbox",
    "text_input",
    "file_uploader",
}


@dataclass
class Element:
    kind: str
    proto: object  # the element's own message (e.g. Slider)
    fragment_id: str = ""

    @property
    def id(self) -> str:
        return getattr(self.proto, "id", "")

    def key_is(self, key: str) -> bool:
        """Widget ids of keyed widgets end with ``-<key>``."""
        return self.id.endswith(f"-{key}")


@dataclass
class Run:
    """What one script run sent: its elements, errors, and how it finished."""

    elements: list[Element] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished: int | None = None
    page_not_found: bool = False

    @property
    def ok(self) -> bool:
        return self.finished in FINISHED_OK and not self.errors and not self.page_not_found

    def widgets(self, kind: str | None = None) -> list[Element]:
        return [
            e for e in self.elements if e.kind in WIDGET_TYPES and (kind is None or e.kind == kind)
        ]

    def texts(self, kind: str) -> list[str]:
        out = []
        for e in self.elements:
            if e.kind == kind:
                out.append(getattr(e.proto, "body", "") or getattr(e.proto, "label", ""))
        return out

    def metrics(self) -> dict[str, str]:
        return {e.proto.label: e.proto.body for e in self.elements if e.kind == "metric"}


class Session:
    """One browser tab: a websocket session on the server."""

    def __init__(self, port: int, timeout: float = 60.0, host: str = "127.0.0.1"):
        self.port = port
        self.timeout = timeout
        # The XSRF cookie the server hands out (the browser's double-submit pair for uploads).
        with urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=10) as r:
            cookies = [v for k, v in r.headers.items() if k.lower() == "set-cookie"]
        self.xsrf = next(
            (c.split(";")[0].split("=", 1)[1] for c in cookies if c.startswith("_streamlit_xsrf=")),
            "",
        )
        self.ws = websocket.create_connection(
            f"ws://{host}:{port}/_stcore/stream",
            subprotocols=["streamlit", self.xsrf] if self.xsrf else ["streamlit"],
            cookie=f"_streamlit_xsrf={self.xsrf}" if self.xsrf else None,
            timeout=timeout,
        )
        self.pages: dict[str, str] = {}  # page name (url path) -> page_script_hash
        self.page_hash = ""
        self.messages = 0

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass

    def run(
        self,
        page: str | None = None,
        widgets: list[WidgetState] | None = None,
        query_string: str = "",
        fragment_id: str = "",
    ) -> Run:
        """Ask for a rerun (of ``page`` or the current page) and read it to the end."""
        msg = BackMsg()
        rs = msg.rerun_script
        rs.query_string = query_string
        if page is not None:
            self.page_hash = self.pages.get(page, "")
            rs.page_name = page if not self.page_hash else ""
        rs.page_script_hash = self.page_hash
        if fragment_id:
            rs.fragment_id = fragment_id
        for w in widgets or []:
            rs.widget_states.widgets.append(w)
        self.ws.send_binary(msg.SerializeToString())
        return self._read_run()

    def upload(self, name: str, data: bytes, mime: str = "text/csv") -> FileURLs:
        """Upload a file into this session as the browser does; returns its URLs (file id)."""
        msg = BackMsg()
        msg.file_urls_request.request_id = uuid.uuid4().hex
        msg.file_urls_request.file_names.append(name)
        self.ws.send_binary(msg.SerializeToString())
        deadline = time.monotonic() + self.timeout
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError("no file_urls_response")
            fm = ForwardMsg()
            fm.ParseFromString(self.ws.recv())
            if fm.WhichOneof("type") == "file_urls_response":
                assert not fm.file_urls_response.error_msg, fm.file_urls_response.error_msg
                urls = fm.file_urls_response.file_urls[0]
                break
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="{name}"\r\nContent-Type: {mime}\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{urls.upload_url}",
            data=body,
            method="PUT",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "X-Xsrftoken": self.xsrf,
                "Cookie": f"_streamlit_xsrf={self.xsrf}",
            },
        )
        with urllib.request.urlopen(req, timeout=self.timeout) as r:
            assert r.status == 204, r.status
        return urls

    def _read_run(self) -> Run:
        run = Run()
        deadline = time.monotonic() + self.timeout
        while run.finished is None:
            if time.monotonic() > deadline:
                raise TimeoutError("script run did not finish")
            data = self.ws.recv()
            if isinstance(data, str):
                run.errors.append(f"text frame: {data[:200]}")
                continue
            fm = ForwardMsg()
            fm.ParseFromString(data)
            self.messages += 1
            kind = fm.WhichOneof("type")
            if kind == "new_session":
                ns = fm.new_session
                self.pages = {
                    p.url_pathname or p.page_name: p.page_script_hash for p in ns.app_pages
                }
                self.page_hash = ns.page_script_hash
            elif kind == "navigation":
                nav = fm.navigation
                self.pages = {
                    p.url_pathname or p.page_name: p.page_script_hash for p in nav.app_pages
                }
                self.page_hash = nav.page_script_hash
            elif kind == "delta":
                self._delta(fm, run)
            elif kind == "page_not_found":
                run.page_not_found = True
            elif kind == "script_finished":
                if fm.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # another rerun follows (e.g. a button callback)
                run.finished = fm.script_finished
            elif kind == "ref_hash":
                run.errors.append("unexpected cached message reference")
        if run.finished not in FINISHED_OK:
            run.errors.append(f"script finished with status {run.finished}")
        return run

    @staticmethod
    def _delta(fm: ForwardMsg, run: Run) -> None:
        d = fm.delta
        if d.WhichOneof("type") != "new_element":
            return
        el = d.new_element
        kind = el.WhichOneof("type")
        if kind is None:
            return
        proto = getattr(el, kind)
        run.elements.append(Element(kind, proto, d.fragment_id))
        if kind == "exception":
            run.errors.append(f"exception: {proto.type}: {proto.message}")
        elif kind == "alert" and proto.format == Alert.ERROR:
            run.errors.append(f"st.error: {proto.body}")


def slider_state(el: Element, values: list[float]) -> WidgetState:
    w = WidgetState(id=el.id)
    w.double_array_value.data.extend(values)
    return w


def select_slider_state(el: Element, option: str) -> WidgetState:
    w = WidgetState(id=el.id)
    w.string_array_value.data.append(option)
    return w


def string_state(el: Element, value: str) -> WidgetState:
    return WidgetState(id=el.id, string_value=value)


def trigger_state(widget_id: str) -> WidgetState:
    """A button press (buttons and form submit buttons are triggers)."""
    return WidgetState(id=widget_id, trigger_value=True)


def upload_state(widget_id: str, name: str, size: int, urls: FileURLs) -> WidgetState:
    """The file uploader's value after ``Session.upload``."""
    w = WidgetState(id=widget_id)
    info = w.file_uploader_state_value.uploaded_file_info.add()
    info.file_id, info.name, info.size = urls.file_id, name, size
    info.file_urls.CopyFrom(urls)
    return w


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    db_path: Path,
    log_path: Path,
    extra_env: dict | None = None,
    timeout: float = 90.0,
    port: int | None = None,
    extra_args: list[str] | None = None,
    drop_env: Sequence[str] = (),
) -> tuple[subprocess.Popen, int]:
    """``streamlit run app.py`` on the test store (without the variables ``drop_env``); returns
    once ``/_stcore/health`` says ok."""
    port = port or free_port()
    env = {**os.environ, "BUTDATA_DB": str(db_path), **(extra_env or {})}
    for name in drop_env:
        env.pop(name, None)
    log = open(log_path, "wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "app.py"),
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            *(extra_args or []),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}): {log_path.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, port
        except OSError:
            pass
        time.sleep(0.3)
    proc.kill()
    raise TimeoutError(f"server not healthy after {timeout} s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB (VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")
