"""Numbers as a Chinese manager reads them on a page (issue 25, item 9):
money as ¥12,300 — no ".00" when whole, exact cents when not — and counts as
whole numbers. Pages only: the API and the exports keep exact decimals."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

CENT = Decimal("0.01")


def money(value, symbol: str = "¥") -> str:
    """Decimal("12300.00") → "¥12,300"; Decimal("12300.5") → "¥12,300.50";
    below zero → "-¥300"; None or "" → ""."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    text = f"{amount:,.0f}" if amount == amount.to_integral_value() else f"{amount:,.2f}"
    return f"{sign}{symbol}{text}"


def register(bp) -> None:
    bp.add_app_template_filter(money, "money")
