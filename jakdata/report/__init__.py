"""Reporters: one function per format, all ``render(outcome, max_errors) -> str``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from jakdata.report import github, json_, text

if TYPE_CHECKING:  # pragma: no cover
    from jakdata.validate.checker import Outcome

Reporter = Callable[["Outcome", "int | None"], str]
REPORTERS: dict[str, Reporter] = {"text": text.render, "json": json_.render, "github": github.render}
FORMATS = tuple(REPORTERS)


def render(fmt: str, outcome: Outcome, max_errors: int | None = None) -> str:
    return REPORTERS[fmt](outcome, max_errors)
