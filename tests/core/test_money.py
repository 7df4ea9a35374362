from decimal import Decimal

import pytest

from core.money import chinese_capital, from_minor, quantize, to_minor


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"),
        ("100", "壹佰元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角整"),
        ("10.05", "壹拾元零伍分"),
        ("1005", "壹仟零伍元整"),
        ("100000", "壹拾万元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("1000000.01", "壹佰万元零壹分"),
        ("20030", "贰万零叁拾元整"),
        ("0", "零元整"),
        ("30.00", "叁拾元整"),
    ],
)
def test_chinese_capital(amount, expected):
    assert chinese_capital(Decimal(amount)) == expected


def test_minor_units_round_trip():
    assert to_minor(Decimal("12.34"), "CNY") == 1234
    assert from_minor(1234, "cny") == Decimal("12.34")
    assert to_minor(Decimal("500"), "JPY") == 500
    assert to_minor(Decimal("0.005"), "CNY") == 1  # half-up, once


def test_money_refuses_non_amounts():
    with pytest.raises(ValueError):
        quantize("abc")
    with pytest.raises(ValueError):
        quantize("NaN")
