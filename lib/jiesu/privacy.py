"""The workspace's display rule for small counts: resident-level counts under 5 are never shown.

One owner: report tables, notebook tables and stand-alone command outputs all suppress through
:func:`suppress_small`, which writes the suppressed cells as the text ``"<5"``.

>>> import pandas as pd
>>> suppress_small(pd.DataFrame({"residents": [0, 3, 12]}), ["residents"])["residents"].tolist()
['0', '<5', '12']
"""

from __future__ import annotations

import pandas as pd

SMALL_COUNT = 5
"""Counts from 1 to ``SMALL_COUNT - 1`` are suppressed; 0 is shown (an empty cell reveals no one)."""


def suppress_small(frame: pd.DataFrame, columns, *, threshold: int = SMALL_COUNT) -> pd.DataFrame:
    """Copy of ``frame`` for display: in ``columns``, counts 1 … ``threshold``-1 and missing counts
    become the text ``"<5"``; other counts become their integer written as text.

    Missing counts are suppressed too: they are counts something upstream already withheld.
    """
    out = frame.copy()
    for col in columns:
        values = pd.to_numeric(out[col], errors="coerce").astype("Float64")
        small = values.isna() | ((values > 0) & (values < threshold))
        text = values.round().astype("Int64").astype("string")
        out[col] = text.mask(small, f"<{threshold}").astype(object)
    return out
