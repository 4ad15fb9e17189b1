"""What every reporter needs: the shown findings, the cut-off, the summary,
and values made safe to print (no forged lines, no terminal escapes,
visible surrounding whitespace)."""

from __future__ import annotations

from collections import Counter

from jakdata.findings import Finding, safe, show_value

__all__ = ["plural", "safe", "show_value", "shown", "summary"]


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
