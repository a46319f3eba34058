"""Errors a user is shown (file and line, never a traceback)."""

from __future__ import annotations


class ButdataError(Exception):
    """An error with a message meant for the user."""


class SourceError(ButdataError):
    """A source document that cannot be read: names the file and, when known, the line."""

    def __init__(self, source: str, line: int | None, message: str):
        self.source, self.line, self.message = source, line, message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")
