"""Word tables shared by the grammar: kept apart so the grammar reads as rules, not data."""

from __future__ import annotations

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11,
    "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip

# Abbreviations that are also ordinary English words need more context to count as a month.
AMBIGUOUS_MONTHS = frozenset({"may", "mar", "jan", "jun", "sep"})

WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}  # fmt: skip
WEEKDAY_PLURALS: dict[str, int] = {
    "mondays": 0, "tuesdays": 1, "wednesdays": 2, "thursdays": 3, "fridays": 4,
    "saturdays": 5, "sundays": 6,
}  # fmt: skip
AMBIGUOUS_WEEKDAYS = frozenset({"sat", "sun", "wed", "mon"})

# Units: name -> canonical unit.  Single letters only count when glued to a number.
UNITS: dict[str, str] = {
    "second": "second", "seconds": "second", "sec": "second", "secs": "second",
    "minute": "minute", "minutes": "minute", "min": "minute", "mins": "minute",
    "mn": "minute", "hour": "hour", "hours": "hour", "hr": "hour", "hrs": "hour",
    "day": "day", "days": "day", "week": "week", "weeks": "week", "wk": "week",
    "wks": "week", "month": "month", "months": "month", "quarter": "quarter",
    "quarters": "quarter", "year": "year", "years": "year", "yr": "year", "yrs": "year",
    "fortnight": "fortnight", "fortnights": "fortnight",
}  # fmt: skip
SHORT_UNITS: dict[str, str] = {"s": "second", "m": "minute", "h": "hour", "d": "day",
                               "w": "week", "y": "year"}  # fmt: skip

# Seconds per unit (Duckling: a month is 30 days, a year 365 days, a quarter 3 months).
UNIT_SECONDS: dict[str, int] = {
    "second": 1, "minute": 60, "hour": 3600, "day": 86400, "week": 604800,
    "fortnight": 1209600, "month": 2592000, "quarter": 7776000, "year": 31536000,
}  # fmt: skip
# Unit to fall back to when a value is not a whole number of the smaller unit.
FINER_UNIT: dict[str, str] = {
    "year": "month", "quarter": "month", "month": "day", "fortnight": "day", "week": "day",
    "day": "hour", "hour": "minute", "minute": "second",
}  # fmt: skip
GRAIN_ORDER: tuple[str, ...] = ("second", "minute", "hour", "day", "week", "month",
                                "quarter", "year")  # fmt: skip

# Named quantities.
QUANTITY_WORDS: dict[str, int] = {"a": 1, "an": 1, "single": 1, "couple": 2, "pair": 2,
                                  "few": 3, "dozen": 12}  # fmt: skip

# Parts of the day: start hour, end hour (exclusive, 24 = midnight), meridiem for an hour.
PARTS_OF_DAY: dict[str, tuple[int, int, str]] = {
    "morning": (0, 12, "am"), "early morning": (0, 9, "am"), "afternoon": (12, 19, "pm"),
    "evening": (18, 24, "pm"), "night": (18, 24, "pm"), "late night": (21, 24, "pm"),
    "late evening": (21, 24, "pm"), "lunch": (12, 14, "pm"), "lunchtime": (12, 14, "pm"),
    "after lunch": (13, 17, "pm"), "after school": (15, 21, "pm"),
    "after work": (17, 21, "pm"), "late afternoon": (15, 19, "pm"),
    "early afternoon": (12, 15, "pm"), "late morning": (9, 12, "am"),
    "early evening": (18, 21, "pm"), "forenoon": (9, 12, "am"),
}  # fmt: skip

# Time-zone abbreviations -> offset in minutes (standard and summer variants kept apart).
TZ_ABBREVIATIONS: dict[str, int] = {
    "utc": 0, "gmt": 0, "z": 0, "bst": 60, "cet": 60, "cest": 120, "eet": 120, "eest": 180,
    "wet": 0, "west": 60, "est": -300, "edt": -240, "cst": -360, "cdt": -300,
    "mst": -420, "mdt": -360, "pst": -480, "pdt": -420, "akst": -540, "akdt": -480,
    "hst": -600, "ist": 330, "jst": 540, "aest": 600, "aedt": 660, "nzst": 720,
    "nzdt": 780, "sgt": 480, "hkt": 480,
}  # fmt: skip

# Locales whose numeric dates are month-first; every other English locale reads day-first.
MONTH_FIRST_LOCALES = frozenset({"en", "en_us", "en-us", "en_ph", "en-ph", "en_ca", "en-ca"})

# Holidays on a fixed calendar date (movable feasts need their own computation).
FIXED_HOLIDAYS: tuple[tuple[tuple[str, ...], tuple[int, int]], ...] = (
    (("christmas", "eve"), (12, 24)), (("xmas", "eve"), (12, 24)),
    (("christmas", "day"), (12, 25)), (("xmas", "day"), (12, 25)), (("christmas",), (12, 25)),
    (("xmas",), (12, 25)), (("boxing", "day"), (12, 26)),
    (("new", "year's", "eve"), (12, 31)), (("new", "years", "eve"), (12, 31)),
    (("nye",), (12, 31)), (("new", "year's", "day"), (1, 1)), (("new", "years", "day"), (1, 1)),
    (("valentine's", "day"), (2, 14)), (("valentines", "day"), (2, 14)),
    (("valentine", "day"), (2, 14)), (("halloween",), (10, 31)),
    (("st", "patrick's", "day"), (3, 17)), (("saint", "patrick's", "day"), (3, 17)),
)  # fmt: skip

PREFIX_WORDS = frozenset({"at", "@", "on", "around", "about", "approximately", "approx",
                          "circa", "by", "for"})  # fmt: skip
APPROX_WORDS = frozenset({"around", "about", "approximately", "approx", "circa", "roughly"})
