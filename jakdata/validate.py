"""The checker: validate a package and turn the result into an exit code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from jakdata.errors import EXIT_INVALID, EXIT_UNUSABLE, EXIT_VALID, UnusableInput


@dataclass
class Outcome:
    result: object = None
    error: UnusableInput | None = None

    @property
    def exit_code(self) -> int:
        if self.error is not None:
            return EXIT_UNUSABLE
        return EXIT_VALID if self.result.valid else EXIT_INVALID


def run(path: str | Path | None = None, *, isolate_profile: bool = False) -> Outcome:
    from jakdata.checks import validate_package

    try:
        return Outcome(result=validate_package(path, isolate_profile=isolate_profile))
    except UnusableInput as exc:
        return Outcome(error=exc)
