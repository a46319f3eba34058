"""Reading PDFs back with poppler-utils (pdfinfo, pdftotext, pdfimages, pdffonts), installed by
`make test` (`make poppler`): a missing tool fails the test with the command to install it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from butdata.report import find_browser


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} absent : installer poppler-utils (`make poppler`, ou "
            "`apt-get install poppler-utils`) ; `make test` le fait"
        )
    return path


def run_tool(tool: str, *args: str) -> str:
    return subprocess.run(
        [_tool(tool), *args], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def chromium() -> Path:
    browser = find_browser()
    if browser is None:
        pytest.fail(
            "chromium absent : `make chromium` (apt-get install chromium) ; `make test` le fait"
        )
    return browser


class Pdf:
    """A PDF written to disk, read back with poppler."""

    def __init__(self, data: bytes, path: Path):
        self.data, self.path = data, path
        path.write_bytes(data)

    def info(self) -> dict[str, str]:
        lines = run_tool("pdfinfo", str(self.path)).splitlines()
        return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in lines)}

    @property
    def pages(self) -> int:
        return int(self.info()["Pages"])

    def text(self, page: int | None = None) -> str:
        """``pdftotext -layout``, no-break spaces (U+00A0, U+202F) as plain spaces."""
        pages = ["-f", str(page), "-l", str(page)] if page else []
        out = run_tool("pdftotext", "-layout", *pages, str(self.path), "-")
        return out.replace("\u00a0", " ").replace("\u202f", " ")

    def images(self) -> list[list[str]]:
        """``pdfimages -list`` rows of real images (not their soft masks)."""
        rows = [
            line.split() for line in run_tool("pdfimages", "-list", str(self.path)).splitlines()[2:]
        ]
        return [r for r in rows if r[2] == "image"]

    def fonts(self) -> str:
        return run_tool("pdffonts", str(self.path))
