"""What validation finds: one :class:`Finding` per defect."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

VALUE_LIMIT = 80


def shorten(value: Any, limit: int = VALUE_LIMIT) -> Any:
    """Truncate a long offending value for display (keeps the start)."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1] + "…"
    return value


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
