"""Report section 六 (未诉先办 watch list): what officials read holds no filler term, no ``_``, no single
character, no repeated example, and rows name their category and owner team; built only from data up
to the report month (the same list on the full data and on the data cut at the month)."""

from __future__ import annotations

import pytest

from jiesu.analysis.early_warning.vocabulary import is_content_token
from jiesu.categories import LABELS
from jiesu.snapshot.watch import report_watch

MONTHS = ("2020-04", "2020-05", "2020-06")


@pytest.fixture(scope="module")
def lists(small_world):
    return {m: report_watch(small_world.cut(m), m) for m in MONTHS}


def test_the_chat_months_have_a_watch_list(lists):
    assert sum(len(w["watch_list"]) for w in lists.values()) >= 2


@pytest.mark.parametrize("month", MONTHS)
def test_watch_list_rows_are_named_filed_and_illustrated_without_filler_or_repeats(lists, month):
    table = lists[month]["watch_list"]
    shown = []
    for row in table.itertuples():
        for phrase in row.title.split("·"):
            assert is_content_token(phrase), (month, row.title)
        assert "_" not in row.title + row.place and len(row.title) >= 2
        assert row.category in LABELS and row.owner_team
        examples = row.examples.split(" / ")
        assert 2 <= len(examples) <= 3, row.examples
        assert len(set(examples)) == len(examples)
        shown += examples
    assert len(shown) == len(set(shown)), "an example is shown in two rows"


def test_watch_list_is_the_same_on_the_full_data(small_world, lists):
    month = "2020-05"
    full = report_watch(small_world, month)["watch_list"]
    assert full.equals(lists[month]["watch_list"])
