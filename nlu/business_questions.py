"""Which question about the business a message asks, by its cue words: pure, no model.

The classifier's `ask_business` intent learns how such questions are put; these cues say what
a question about a business must contain: a price, a length, opening hours, a place, or what
is offered. The gate after the classifier (nlu.business_gate) keeps `ask_business` only for a
message carrying one of them, and the answering action tells the kinds apart with them.
"""

from __future__ import annotations

import re

#: The kinds of question told apart, in the order they are tried (the length first: "how
#: much time" is not a price).
KINDS = ("duration", "price", "location", "hours", "services")

#: How a customer names the business: "you", "your place", "the salon".
_PLACE = (
    r"(?:you|your|u|ur|ya|y'?all|the (?:shop|salon|clinic|studio|office|store|place|practice|"
    r"surgery|garage|spa|gym|centre|center|school|business))\b"
)

_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "duration",
        re.compile(
            r"\bhow long\b|\bhow much time\b|\bhow many (?:minutes|mins|hours|hrs)\b|"
            r"\bduration\b|\blength\b|\btakes? (?:long|more|less|all)\b|"
            r"\b(?:is|are) (?:a |an |the )?[\w -]{1,30}?(?:an? |half an )?"
            r"(?:hour|minutes?|mins?)\b|"
            r"\blasts?(?= *(?:[?.!]|$|for\b|long\b|about\b|around\b|roughly\b))|\bset aside\b",
            re.I,
        ),
    ),
    (
        "price",
        re.compile(
            r"\bhow much\b|\bprices?\b|\bpric(?:ey|y|ing)\b|\bcosts?\b|\bcharge[sd]?\b|"
            r"\bfees?\b|\brates?\b|\bexpensive\b|\bcheap(?:er|est)?\b|\bpay\b|\btariff\b|"
            r"\bset me back\b|\bdamage\b|[£$€]",
            re.I,
        ),
    ),
    (
        "location",
        re.compile(
            r"\bwhere\b|\bwheres\b|\baddress\b|\bpost ?code\b|\bzip ?code\b|\bdirections?\b|"
            r"\bmap\b|\bpark(?:ing)?\b|\bget there\b|\bget to "
            + _PLACE
            + r"|\bfind (?:you|your|u)\b|\bstreet\b|"
            r"\bstation\b|\bbus\b|\blocat\w*|\bwhereabouts\b|"
            r"\bhow far (?:away )?(?:are|is) (?:it\b|" + _PLACE + r")|\bnear(?:by|est)?\b",
            re.I,
        ),
    ),
    (
        "hours",
        re.compile(
            # "are you open", "when does the salon close", "what time do your doors open": the
            # business opens, not a slot ("is 4pm open?", "any openings at 2?" ask for a time).
            r"\b(?:you|u|ya|y'?all|we|they|it|doors?|shop|salon|clinic|studio|office|store|"
            r"place|practice|surgery|garage|spa|gym|centre|center|school)\b(?: \w+)? "
            r"(?:open|opens|closed?|closes|shut|start|begin|finish)\b|"
            r"\b(?:opening|your|the) (?:hours|times)\b|\bclosing time\b|"
            r"\b(?:business|working|office|trading|your|what|which|the) hours\b|"
            r"\bhours (?:on|of|today|tomorrow|this|at)\b|"
            r"\bhow (?:early|late)\b|\b(?:until|till) what time\b|\bweekends?\b|"
            r"\bbank holidays?\b",
            re.I,
        ),
    ),
    (
        "services",
        re.compile(
            r"\boffer\w*\b|\bservices?\b|\btreatments?\b|\bmenu\b|\bprovide\b|\bspeciali[sz]e\b|"
            r"\blessons?\b|\bclasses\b|\boptions\b|\bchoose from\b|\bwhat (?:do|can) you do\b|"
            r"\bwhat you do\b|\b(?:do|can) you do\b|\b(?:types?|kinds?|sorts?) of\b|\bwhat else\b|"
            r"\bwhat can i (?:come in|book|get|have)\b",
            re.I,
        ),
    ),
)


#: Questions that hold a cue but ask about something else: where the customer is ("where am
#: I?") or a search for some provider ("is there a salon nearby?", "I'm looking for a
#: dentist"), which is a request to book here, not a question about this business.
_NOT_ABOUT_THE_BUSINESS = re.compile(
    r"\bwhere (?:\w+ )?(?:am|was|are) (?:i|we)\b|\bwhere (?:i am|i'm|im|we are)\b|"
    r"\bwhere(?:'s| is) the (?:closest|nearest)\b|\bmy (?:current |exact )?location\b|"
    r"\blooking for\b|\blook for\b|\bfind me\b|\bsearch(?:ing)? for\b|\bknow (?:of|any)\b|"
    r"\brecommend\w*\b|\bnear me\b|\bin the area\b|\baround here\b|\bin my area\b|"
    r"\bwhere can i (?:find|get) (?:a|an|some)\b|\b(?:locate|find) (?:a|an|some|the nearest)\b",
    re.I,
)


def cue_kind(text: str) -> str | None:
    """The first of KINDS whose cue words `text` holds, or None when it holds none or asks
    about something other than the business."""
    if _NOT_ABOUT_THE_BUSINESS.search(text):
        return None
    for kind, cue in _CUES:
        if cue.search(text):
            return kind
    return None


def question_kind(text: str) -> str:
    """The kind a question taken as about the business asks; one with no cue words ("tell
    me more") is answered with what is offered."""
    return cue_kind(text) or "services"
