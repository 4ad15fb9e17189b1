"""The frame of what :func:`jakdata.arms_frame` and :func:`jakdata.pairwise`
left out, carried in ``frame.attrs["excluded"]``.

It is a pandas DataFrame whose ``==`` compares whole frames (a bool): pandas
compares the ``attrs`` of the frames it concatenates, and an ordinary
DataFrame there would make ``pd.concat`` of two frames fail. Everything else
is an ordinary DataFrame (its columns are ordinary Series)."""

from __future__ import annotations

from typing import Any

import pandas as pd


class Excluded(pd.DataFrame):
    """What a frame left out: one row per arm or comparison, and why."""

    @property
    def _constructor(self) -> Any:
        return Excluded

    def __eq__(self, other: object) -> bool:
        return isinstance(other, pd.DataFrame) and self.equals(other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = None  # type: ignore[assignment]
