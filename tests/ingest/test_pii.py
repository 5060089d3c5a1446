"""Personal numbers in free text (:mod:`jiesu.pii`): every written form is found, ordinary numbers are
left alone, and masking keeps the rest of the text exactly as written."""

from __future__ import annotations

import pandas as pd
import pytest

from jiesu import pii

# (as written, kind) — every form the data contract promises to mask
WRITTEN_FORMS = [
    ("13900111111", "mobile"),
    ("139-0011-1111", "mobile"),
    ("139 0011 1111", "mobile"),
    ("199－1234－0010", "mobile"),
    ("１３９００１１１１１１", "mobile"),
    ("(199)12340011", "mobile"),
    ("（199）12340011", "mobile"),
    ("+86 139 0011 1111", "mobile"),
    ("+8613900111111", "mobile"),
    ("0086-13900111111", "mobile"),
    ("(+86)13900111111", "mobile"),
    ("139—0011—1111", "mobile"),
    ("010-6512 3456", "landline"),
    ("(010)65123456", "landline"),
    ("（010）65123456", "landline"),
    ("01065123456", "landline"),
    ("0755-2345678", "landline"),
    ("+86 10 6512 3456", "landline"),
    ("11010119900307123X", "id"),
    ("110101199003071234", "id"),
    ("110101 19900307 123x", "id"),
    ("４１１１１１１１１１１１１１１１", "card"),
    ("6222020200001234562", "card"),
    ("4111 1111 1111 1111", "card"),
]


@pytest.mark.parametrize(("written", "kind"), WRITTEN_FORMS)
def test_every_written_form_is_masked_inside_chinese_text(written, kind):
    text = f"请联系{written}，谢谢"
    assert pii.find(text) == [(3, 3 + len(written), kind)]
    assert pii.mask(text) == f"请联系{pii.MASKS[kind]}，谢谢"


@pytest.mark.parametrize(
    "ordinary",
    [
        "工单20170104000004已办结",  # a 14-digit work-order number
        "2020-09-27 08:00 停水",
        "6号楼3单元502室",
        "4111111111111112",  # 16 digits failing the Luhn check
        "1390011111",  # ten digits
        "139001111112",  # twelve digits
        "邮编100020，面积65.5平米",
    ],
)
def test_ordinary_numbers_are_kept(ordinary):
    assert pii.mask(ordinary) == ordinary


def test_two_numbers_side_by_side_are_both_masked():
    assert pii.mask("13900111111 13900222222/010-65123456") == "[电话] [电话]/[电话]"


def test_luhn():
    assert pii.luhn_valid("6222020200001234562") and not pii.luhn_valid("6222020200001234566")


def test_mask_series_keeps_missing_and_untouched_text():
    values = pd.Series(["樓道燈不亮，電話１３９００１１１１１１", None, "谢谢😀"], dtype=object)
    masked = pii.mask_series(values)
    assert masked.iloc[0] == "樓道燈不亮，電話[电话]"
    assert masked.isna().iloc[1] and masked.iloc[2] == "谢谢😀"


def test_remove_is_for_the_text_analyses():
    assert pii.remove("身份证11010119900307123X号", "") == "身份证号"
