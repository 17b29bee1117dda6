from datetime import datetime, timezone

from nlu.timeparse.calendar import Ctx
from nlu.timeparse.grammar import Parser

CTX = Ctx(datetime(2013, 2, 12, 4, 30), timezone.utc)


def test_numeric_clusters_cannot_be_cut():
    p = Parser("at 650.650.6500", CTX)
    # tokens: at 650 . 650 . 6500 -> positions inside the number are inner
    assert p.inner[:7] == [False, False, True, True, True, True, False]


def test_helpers():
    p = Parser("half past three", CTX)
    assert p.w(0) == "half" and p.w(99) == ""
    assert p.words(0, "half", "past") == 2
    assert p.words(0, "half", "to") is None
    assert not p.g(1)


def test_rules_only_start_on_known_words():
    p = Parser("banana 3 tomorrow afternoonish", CTX)
    assert [p.can_start(i) for i in range(p.n)] == [False, True, True, True]
