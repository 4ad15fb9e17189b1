"""What every reporter needs: the shown findings, the cut-off, the summary."""

from __future__ import annotations

from collections import Counter


def shown(findings, max_errors):
    if max_errors is None or max_errors < 0:
        return findings, 0
    return findings[:max_errors], max(0, len(findings) - max_errors)


def summary(findings) -> dict[str, dict[str, int]]:
    """Error counts per table and check (package-level under ``(package)``)."""
    per: dict[str, Counter] = {}
    for f in findings:
        per.setdefault(f.table or "(package)", Counter())[f.check] += 1
    return {t: dict(sorted(c.items())) for t, c in sorted(per.items())}
