"""Numbers that are never times: prices, phone numbers, street addresses, flats and rooms.

A booking chat is full of numbers ("at 2250 Oak Street", "$45", "call 555-1234", "apt 4");
marking their tokens before the grammar runs keeps them out of every time and duration
reading at once, whatever rule would otherwise have read them as "22:50" or "5 o'clock".
"""

from __future__ import annotations

from nlu.timeparse.tokens import Token

CURRENCY_SYMBOLS = frozenset("$£€¥₹₽₩₦₪฿¢")
# Before a number ("USD 45", "Rs. 500") or after it ("45 dollars", "30 quid").
CURRENCY_BEFORE = frozenset({"usd", "eur", "gbp", "aud", "cad", "nzd", "chf", "inr", "rs",
                             "sgd", "hkd", "jpy", "zar"})  # fmt: skip
CURRENCY_AFTER = frozenset({"dollar", "dollars", "buck", "bucks", "pound", "pounds", "quid",
                            "euro", "euros", "cent", "cents", "pence", "rupee", "rupees",
                            "yen", "franc", "francs", "usd", "eur", "gbp", "aud", "cad",
                            "inr", "bob", "dirham", "dirhams", "pesos", "peso"})  # fmt: skip
# A number right after these names a place, not a time ("apt 4", "suite 200", "gate 12").
UNIT_NOUNS = frozenset({"apt", "apartment", "suite", "ste", "unit", "flat", "room", "rm",
                        "floor", "fl", "building", "bldg", "house", "lot", "gate", "platform",
                        "door", "table", "seat", "row", "box", "route", "highway", "hwy",
                        "bus", "exit", "terminal", "pier", "dock", "bay", "block", "level",
                        "ward", "bed", "cabin", "locker", "number", "#"})  # fmt: skip
# Street suffixes that are unambiguous, and ones that are also common words ("close",
# "place", "way"), which only count after capitalised names ("4 Priory Close").
STREET_SUFFIXES = frozenset({"street", "st", "avenue", "ave", "av", "road", "rd",
                             "boulevard", "blvd", "lane", "ln", "drive", "highway", "hwy",
                             "parkway", "pkwy", "crescent", "cres", "plaza", "alley",
                             "strasse", "str"})  # fmt: skip
CAPITALISED_STREET_SUFFIXES = frozenset({"way", "place", "pl", "court", "ct", "close",
                                         "square", "sq", "dr", "circle", "cir", "row", "mews",
                                         "gardens", "gdns", "terrace", "ter", "grove",
                                         "walk", "hill", "park"})  # fmt: skip
# Words that end a street name: a time follows, not a street ("at 5 on Main Street").
_NOT_NAME = frozenset({"at", "on", "in", "the", "a", "an", "and", "or", "to", "by", "for",
                       "from", "with", "near", "until", "till", "am", "pm", "today",
                       "tomorrow", "tonight", "next", "this", "o'clock", "of",
                       "my", "your", "our", "their", "his", "her"})  # fmt: skip


_MERIDIEM_WORDS = frozenset({"am", "pm", "a.m", "p.m", "o'clock"})
_TIME_SUFFIXES = _MERIDIEM_WORDS | {"st", "nd", "rd", "th", ":", "h"}


def _is_number(tok: Token) -> bool:
    return tok.is_digit


def _number_end(toks: list[Token], i: int) -> int:
    """End of the number at i, with a glued decimal part or thousands groups ("1,250.50")."""
    j = i + 1
    while (j + 1 < len(toks) and toks[j].text in (".", ",") and toks[j].glued
           and toks[j + 1].glued and toks[j + 1].is_digit):  # fmt: skip
        j += 2
    if j < len(toks) and toks[j].glued and toks[j].text == "k":
        j += 1  # "45k"
    return j


def _mark(blocked: list[bool], start: int, end: int) -> None:
    for k in range(start, end):
        blocked[k] = True


def _prices(toks: list[Token], blocked: list[bool]) -> None:
    """ "$45", "£30.50", "USD 45", "45 dollars", "30 quid", "50p"."""
    for i, tok in enumerate(toks):
        if not _is_number(tok):
            continue
        end = _number_end(toks, i)
        prev = toks[i - 1].text if i else ""
        nxt = toks[end].text if end < len(toks) else ""
        before = prev in CURRENCY_SYMBOLS or prev in CURRENCY_BEFORE or (
            prev == "." and i >= 2 and toks[i - 2].text == "rs")  # fmt: skip
        glued_symbol = nxt in CURRENCY_SYMBOLS and toks[end].glued  # "45€"
        if before or nxt in CURRENCY_AFTER or glued_symbol:
            _mark(blocked, i, end)


def _digit_groups(toks: list[Token], i: int) -> tuple[list[str], int]:
    """Digit groups from i joined all by one glued "-"/"." each, or all by single spaces
    ("555-1234", "415 555 0100"; never "19.12.2017 09:30", which mixes the two)."""
    groups = [toks[i].text]
    j = i + 1
    joint = ""
    while j < len(toks):
        t = toks[j]
        if t.is_digit and not t.glued and joint in ("", " "):
            groups.append(t.text)
            joint = " "
            j += 1
        elif (t.text in ("-", ".") and t.glued and joint in ("", t.text) and j + 1 < len(toks)
              and toks[j + 1].glued and toks[j + 1].is_digit):  # fmt: skip
            groups.append(toks[j + 1].text)
            joint = t.text
            j += 2
        else:
            break
    return groups, j


def _clock_like(group: str) -> bool:
    """ "930", "1045": H:MM or HH:MM at a quarter hour, so "930-1045" stays a range."""
    if len(group) not in (3, 4):
        return False
    h, m = divmod(int(group), 100)
    return h <= 23 and m in (0, 15, 30, 45)


def _phones(toks: list[Token], blocked: list[bool]) -> None:
    """ "555-1234", "415 555 0100", "(415) 555-0100", "+1 415 555 0100", "+44 20 7946 0958"."""
    i = 0
    while i < len(toks):
        tok = toks[i]
        start = i
        plus = tok.text == "+" and i + 1 < len(toks) and toks[i + 1].glued and toks[i + 1].is_digit
        paren = (tok.text == "(" and i + 2 < len(toks) and toks[i + 1].is_digit
                 and len(toks[i + 1].text) == 3 and toks[i + 2].text == ")")  # fmt: skip
        first = i + 1 if plus else (i + 3 if paren else i)
        if first >= len(toks) or not toks[first].is_digit:
            i += 1
            continue
        groups, end = _digit_groups(toks, first)
        if paren:
            groups = [toks[i + 1].text, *groups]
        digits = sum(len(g) for g in groups)
        sizes = [len(g) for g in groups]
        nanp = sizes in ([3, 4], [3, 3, 4]) and not (sizes == [3, 4] and all(
            _clock_like(g) for g in groups))  # fmt: skip
        long_run = (len(groups) >= 2 and digits >= 10) or (len(groups) >= 3 and digits >= 9)
        if (plus and digits >= 8) or (paren and digits >= 10) or nanp or long_run:
            _mark(blocked, start, end)
            i = end
            continue
        i += 1


def _is_name_word(tok: Token) -> bool:
    return tok.text.isalpha() and tok.text not in _NOT_NAME


def _time_shaped(toks: list[Token], i: int) -> bool:
    """ "No. 8th of March", "No. 5pm", "No. 3:30": after the answer "No." a number shaped
    like a day or a time is that, not a number ("No. 5")."""
    if i + 1 >= len(toks):
        return False
    nxt = toks[i + 1]
    return (nxt.glued and nxt.text in _TIME_SUFFIXES) or nxt.text in _MERIDIEM_WORDS


def _addresses(text: str, toks: list[Token], blocked: list[bool]) -> None:
    """ "2250 Oak Street", "123 Main St", "10 Downing St.", "4 Priory Close", "221B Baker St",
    and a number after a place noun ("apt 4", "suite 200", "gate 12", "#4")."""
    n = len(toks)
    for i, tok in enumerate(toks):
        if not _is_number(tok):
            continue
        prev = toks[i - 1].text if i else ""
        numbered = prev == "." and i >= 2 and toks[i - 2].text == "no"
        if prev in UNIT_NOUNS or (numbered and not _time_shaped(toks, i)):
            _mark(blocked, i, _number_end(toks, i))  # "apt 4", "no. 5"
            continue
        j = i + 1
        if j < n and toks[j].glued and toks[j].text.isalpha() and len(toks[j].text) == 1:
            j += 1  # "221B"
        names: list[Token] = []
        while j < n and len(names) < 3 and not toks[j].glued and _is_name_word(toks[j]):
            word = toks[j].text
            suffix_ok = word in STREET_SUFFIXES or (
                word in CAPITALISED_STREET_SUFFIXES and names and all(
                    text[t.start:t.end][:1].isupper() for t in names))  # fmt: skip
            if names and suffix_ok:
                _mark(blocked, i, j + 1)
                break
            names.append(toks[j])
            j += 1
            # a glued tail belongs to the word ("St." is one word here)
            while j < n and toks[j].glued and toks[j].text in (".", "'"):
                j += 1


def blocked_tokens(text: str, toks: list[Token]) -> list[bool]:
    """blocked[k] is True when token k belongs to a price, a phone number or an address."""
    blocked = [False] * len(toks)
    _prices(toks, blocked)
    _phones(toks, blocked)
    _addresses(text, toks, blocked)
    return blocked
