"""Amounts of money: exact decimals with two places, one currency per network (MP_CURRENCY).

Never floats. PostgreSQL keeps them as NUMERIC(12, 2). SQLite has no decimal type (its NUMERIC
turns values into binary floats), so there they are stored as integer cents: SUM over many rows
stays exact on both databases. Arithmetic between amount columns is done in Python, never in SQL,
because on SQLite the expression would be typed as a plain number of cents.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from sqlalchemy import BigInteger, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from app.errors import Invalid
from app.i18n import N_
from app.settings import get_settings

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LARGEST = Decimal("9999999999.99")  # what NUMERIC(12, 2) holds


class NotAnAmount(Invalid):
    message = N_("{value} is not an amount of money (use digits and at most two decimal places).")


def to_amount(value: object) -> Decimal:
    """An amount from a form field, JSON or the database: exactly two places, 0..LARGEST.

    "1 234,50" and "1234.5" are read as 1234.50. More than two decimal places, a negative amount,
    a float or anything else that is not a number raises NotAnAmount: money is never rounded silently.
    """
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        number = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise NotAnAmount(value=value) from None
    else:
        raise NotAnAmount(value=value)
    if not number.is_finite() or number < 0 or number > LARGEST or number != number.quantize(CENT):
        raise NotAnAmount(value=value)
    return number.quantize(CENT)


def signed(value: Decimal) -> Decimal:
    """A signed amount (ledger reversals are negative), two places."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def currency() -> str:
    return get_settings().currency


class Money(TypeDecorator[Decimal]):
    """An amount column: NUMERIC(12, 2) on PostgreSQL, integer cents on SQLite (see the module doc)."""

    impl = Numeric(12, 2, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(12, 2, asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        amount = Decimal(value)
        if amount != amount.quantize(CENT):
            raise ValueError(f"amount {value!r} has more than two decimal places")
        if dialect.name == "sqlite":
            return int(amount * 100)
        return amount.quantize(CENT)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return (Decimal(int(value)) / 100).quantize(CENT)
        return Decimal(value).quantize(CENT)
