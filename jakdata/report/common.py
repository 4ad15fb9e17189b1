"""What every reporter needs: the shown findings, the cut-off, the summary,
and values made safe to print (no forged lines, no terminal escapes,
visible surrounding whitespace)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from jakdata.findings import Finding, shorten


def shown(findings: list[Finding], max_errors: int | None) -> tuple[list[Finding], int]:
    if max_errors is None or max_errors < 0:
        return findings, 0
    return findings[:max_errors], max(0, len(findings) - max_errors)


def summary(findings: list[Finding]) -> dict[str, dict[str, int]]:
    """Error counts per table and check (package-level under ``(package)``)."""
    per: dict[str, Counter[str]] = {}
    for f in findings:
        per.setdefault(f.table or "(package)", Counter())[f.check] += 1
    return {t: dict(sorted(c.items())) for t, c in sorted(per.items())}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


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
