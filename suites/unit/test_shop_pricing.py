"""Unit tests of shop_pricing: no services, milliseconds each."""

import pytest

from shop_pricing import apply_discount, cart_total, format_price, parse_price, slugify


def test_slugify_strips_accents_and_punctuation():
    assert slugify("Crème Brûlée — 2 Pack!") == "creme-brulee-2-pack"


def test_slugify_collapses_separators_at_both_ends():
    assert slugify("  --Hello,   World--  ") == "hello-world"


def test_slugify_rejects_titles_without_letters_or_digits():
    with pytest.raises(ValueError, match="no letters or digits"):
        slugify("¡¿ — !?")


@pytest.mark.parametrize("text, cents", [("0", 0), ("12", 1200), ("12.3", 1230), (" 0.05 ", 5)])
def test_parse_price_returns_cents(text, cents):
    assert parse_price(text) == cents


@pytest.mark.parametrize("text", ["", "-1", "1.234", "12,30", "1e3", "abc"])
def test_parse_price_rejects_malformed_input(text):
    with pytest.raises(ValueError, match="not a price"):
        parse_price(text)


def test_format_price_pads_cents_and_keeps_the_sign():
    assert format_price(1230) == "12.30 EUR"
    assert format_price(-5, currency="USD") == "-0.05 USD"


def test_format_round_trips_through_parse():
    for cents in (0, 1, 99, 100, 123456):
        assert parse_price(format_price(cents).split()[0]) == cents


def test_apply_discount_rounds_half_up():
    assert apply_discount(999, 10) == 899  # 899.1
    assert apply_discount(5, 50) == 3  # 2.5 rounds up
    assert apply_discount(1000, 0) == 1000
    assert apply_discount(1000, 100) == 0


def test_apply_discount_rejects_out_of_range_percentages():
    with pytest.raises(ValueError):
        apply_discount(1000, 101)
    with pytest.raises(ValueError):
        apply_discount(1000, -1)


def test_cart_total_adds_lines_and_tax():
    assert cart_total([(250, 2), (999, 1)], tax_percent=19) == (1499, 285, 1784)


def test_cart_total_of_an_empty_cart_is_zero():
    assert cart_total([], tax_percent=19) == (0, 0, 0)


def test_cart_total_rejects_zero_quantities():
    with pytest.raises(ValueError, match="quantity"):
        cart_total([(100, 0)], tax_percent=19)
