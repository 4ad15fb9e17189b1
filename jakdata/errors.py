"""The package's exceptions. Each carries the exit code the command line
ends with, so the CLI has one handler for all of them.

Exit codes: 0 valid / success; 1 invalid data (or, for ``diff``, a
difference); 2 unusable input, usage error, an output that would be
overwritten or a missing optional extra.
"""

from __future__ import annotations

from typing import Any

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_UNUSABLE = 2


class JakdataError(Exception):
    """Base of every error jakdata raises on purpose. ``str()`` is one line."""

    exit_code: int = EXIT_UNUSABLE

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path

    def __str__(self) -> str:  # one line, naming the file first
        msg = " ".join(str(self.args[0]).split()) if self.args else ""
        return f"{self.path}: {msg}" if self.path else msg


class UnusableInput(JakdataError):
    """Input that cannot be used at all: a missing or malformed descriptor or
    schema, an unreadable or undecodable file, an unsafe path."""


class DataError(JakdataError, ValueError):
    """Data that does not fit its schema (the loader stops at the first
    such value; ``jakdata validate`` lists them all). ``finding`` is the
    :class:`~jakdata.findings.Finding` (table, line, column, value, check)
    when the error comes from a check, else ``None``."""

    exit_code = EXIT_INVALID

    def __init__(self, message: Any, path: str | None = None):
        self.finding = None if isinstance(message, str) else message
        if self.finding is not None:
            message = f"{self.finding}; run `jakdata validate`"
        super().__init__(str(message), path)


class OutputExists(JakdataError):
    """An output that exists and may not be replaced (without ``--force``,
    or never: a directory, a symlink)."""


class MissingExtra(JakdataError, ImportError):
    """An optional dependency is not installed; the message says which extra
    brings it (``pip install "jakdata[plot]"``)."""

    def __init__(self, what: str, extra: str):
        super().__init__(f'{what} needs the optional extra: python -m pip install "jakdata[{extra}]"')
        self.extra = extra


class UnknownTable(UnusableInput, KeyError):
    """A table name the package does not have (also a ``KeyError``)."""
