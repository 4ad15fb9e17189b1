"""Reporters: one function per format, all ``render(outcome, max_errors) -> str``."""

from __future__ import annotations

from typing import Callable

from jakdata.report import github, json_, text

REPORTERS: dict[str, Callable] = {"text": text.render, "json": json_.render, "github": github.render}


def render(fmt: str, outcome, max_errors: int | None = None) -> str:
    return REPORTERS[fmt](outcome, max_errors)
