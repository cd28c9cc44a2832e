"""Phone-number normalisation for mainland China mobiles and landlines."""

from __future__ import annotations

import math
import re
import unicodedata

__all__ = ["normalize_phone", "phone_from_cell"]

# Separators people type inside phone numbers (after NFKC): whitespace, hyphens and dashes,
# dots and parentheses.
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212.()\[\]]+")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# Area codes: 010 and 02x are three digits, 03xx-09xx four; then a 7-8 digit local number.
_LANDLINE = re.compile(r"(?:010|02\d|0[3-9]\d{2})\d{7,8}")
_COUNTRY_PREFIXES = ("+86", "0086", "86")
_TRAILING_ZERO_DECIMAL = re.compile(r"(\d+)\.0+")


def normalize_phone(raw: str) -> str | None:
    """Return the canonical digits of a mainland mobile or landline number, or None."""
    text = unicodedata.normalize("NFKC", raw).strip()
    decimal = _TRAILING_ZERO_DECIMAL.fullmatch(text)
    if decimal:  # "13800138000.0": a number that went through a spreadsheet as a float
        text = decimal.group(1)
    compact = _SEPARATORS.sub("", text)
    if _MOBILE.fullmatch(compact) or _LANDLINE.fullmatch(compact):
        return compact
    return _strip_country_prefix(compact)


def _strip_country_prefix(compact: str) -> str | None:
    """Return the mobile number left after a +86/0086/86 prefix, or None."""
    for prefix in _COUNTRY_PREFIXES:
        if compact.startswith(prefix):
            rest = compact[len(prefix) :]
            if _MOBILE.fullmatch(rest):
                return rest
    return None


def phone_from_cell(value: object) -> str | None:
    """Normalise a spreadsheet cell (str, int, float or None) holding a phone number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return normalize_phone(value)
    digits = _integral_digits(value)
    if digits is None:
        return None
    # A landline typed as a number loses its leading zero: 5334123456 -> 05334123456.
    return normalize_phone(digits) or normalize_phone("0" + digits)


def _integral_digits(value: object) -> str | None:
    """Return the decimal digits of a non-negative whole number cell, or None."""
    if isinstance(value, int):
        return str(value) if value >= 0 else None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and value >= 0:
        return str(int(value))
    return None
