"""Pure helpers of the example shop, tested by the service-free `unit` suite.

Money is handled in integer cents; rounding is commercial (half away from zero), done once, on the
final amount.
"""

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_PRICE = re.compile(r"^\d+(\.\d{1,2})?$")


def slugify(title):
    """'Crème Brûlée — 2 Pack!' -> 'creme-brulee-2-pack'. Raises ValueError if nothing is left."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    if not slug:
        raise ValueError(f"no letters or digits in title {title!r}")
    return slug


def parse_price(text):
    """'12.3' -> 1230 (cents). Raises ValueError for negatives, more than two decimals, or junk."""
    stripped = text.strip()
    if not _PRICE.match(stripped):
        raise ValueError(f"not a price: {text!r}")
    try:
        return int(Decimal(stripped) * 100)
    except InvalidOperation as error:
        raise ValueError(f"not a price: {text!r}") from error


def format_price(cents, currency="EUR"):
    """1230 -> '12.30 EUR'; negative amounts keep their sign: -5 -> '-0.05 EUR'."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    return f"{sign}{whole}.{rest:02d} {currency}"


def _round_cents(amount):
    return int(Decimal(amount).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def apply_discount(cents, percent):
    """The price after a percentage discount, rounded to a cent. Raises ValueError unless
    0 <= percent <= 100."""
    if not 0 <= percent <= 100:
        raise ValueError(f"discount must be within 0..100, got {percent}")
    return _round_cents(Decimal(cents) * (100 - Decimal(str(percent))) / 100)


def cart_total(lines, tax_percent):
    """Sums (unit_cents, quantity) lines and adds tax. Returns (subtotal, tax, total) in cents.
    Raises ValueError for a quantity below 1."""
    subtotal = 0
    for unit_cents, quantity in lines:
        if quantity < 1:
            raise ValueError(f"quantity must be at least 1, got {quantity}")
        subtotal += unit_cents * quantity
    tax = _round_cents(Decimal(subtotal) * Decimal(str(tax_percent)) / 100)
    return subtotal, tax, subtotal + tax
