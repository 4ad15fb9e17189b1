"""What a check finds: one :class:`Finding` per defect, and the one
:class:`Collector` that gathers them.

This is the ground floor of the error model, beside :mod:`jakdata.errors`
and :mod:`jakdata.catalogue`: every layer above (reading, checks, loader,
reporters) reports a defect as a Finding and nothing else. A Finding can
only be made for a check in the catalogue; its message comes from the
check's template unless the check passes one of its own.

The collector has one switch, ``lazy`` (as pandera's ``validate(lazy=...)``):
the validator collects every finding; the loader stops at the first and
raises :class:`~jakdata.errors.DataError` carrying it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from jakdata.catalogue import CATALOGUE
from jakdata.errors import DataError

VALUE_LIMIT = 80


def shorten(value: Any, limit: int = VALUE_LIMIT) -> Any:
    """Truncate a long offending value for display (keeps the start)."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


def safe(text: str) -> str:
    """``text`` with control and format characters (a newline, an ESC that
    starts a terminal escape sequence, a bidi override) shown as escapes, so a
    cell can neither forge a report line nor reach the terminal."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable():
            out.append(ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif ord(ch) < 0x100:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    return "".join(out)


def show_value(value: Any) -> str:
    """A cell as a report shows it: shortened, escaped, and quoted when it
    has surrounding whitespace (``'easi '``) so the space is visible."""
    short = shorten(value)
    if isinstance(value, str) and value != value.strip():
        return repr(short)
    return safe(str(short))


@dataclass(frozen=True, order=True)
class Finding:
    """One defect: where it is (table, CSV line, column), the offending
    value, the name of the check that caught it and a message.

    ``row`` is the line number in the CSV file (header = line 1); ``table``
    is the resource name. Package-level findings have ``row`` and
    ``column`` set to ``None``.
    """

    table: str | None
    row: int | None
    column: str | None
    value: Any
    check: str
    message: str
    path: str | None = None

    def __post_init__(self) -> None:
        if self.check not in CATALOGUE:  # a programming error, caught by the tests
            raise KeyError(f"check {self.check!r} has no catalogue entry")

    @classmethod
    def of(
        cls,
        check: str,
        *,
        table: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        path: str | None = None,
        message: str | None = None,
        **details: Any,
    ) -> Finding:
        """A finding of ``check`` whose message is ``message`` or the
        catalogue's template, filled from ``details`` (a message given
        without details is used as it is)."""
        template = CATALOGUE[check].message if message is None else message
        text = template.format(**details) if details or message is None else template
        return cls(table, row, column, value, check, text, path)

    def sort_key(self) -> tuple[str, int, str, str, str]:
        return (
            self.table or "",
            self.row if self.row is not None else -1,
            self.column or "",
            self.check,
            self.message,
        )

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["value"] = shorten(out["value"])
        return out

    def where(self) -> str:
        """``path:line`` (the descriptor's name for a package-level finding)."""
        place = safe(self.path or self.table or "datapackage.json")  # a file name may hold any character but NUL
        return f"{place}:{self.row}" if self.row is not None else place

    def __str__(self) -> str:
        """The one line every report and error shows: where, the column and
        its value, the message and the check."""
        head = self.where()
        if self.column is not None:
            value = show_value(self.value) if self.value not in (None, "") else ""
            head += f" {safe(self.column)}={value}" if value else f" {safe(self.column)}"
        return f"{head}: {safe(self.message)} [{self.check}]"


@dataclass
class Collector:
    """Gathers findings. ``lazy=False`` raises :class:`DataError` at the
    first one (the loader); ``lazy=True`` keeps them all (the validator)."""

    lazy: bool = True
    findings: list[Finding] = field(default_factory=list)

    def add(self, finding: Finding) -> Finding:
        if not self.lazy:
            raise DataError(finding)
        self.findings.append(finding)
        return finding

    def extend(self, findings: list[Finding]) -> list[Finding]:
        for f in findings:
            self.add(f)
        return findings
