from nlu.timeparse.numbers import decimal, integer, ordinal, word_number
from nlu.timeparse.tokens import tokenize


def first(fn, text):
    toks = tokenize(text)
    return fn(toks, 0)[0]


def test_word_numbers():
    assert first(word_number, "twenty-three")[1] == 23
    assert first(word_number, "fifty nine")[1] == 59
    assert first(word_number, "two thousand nineteen")[1] == 2019
    assert first(word_number, "one hundred and five")[1] == 105
    assert word_number(tokenize("hello"), 0) == []


def test_longest_reading_first_with_alternatives():
    readings = word_number(tokenize("twenty three"), 0)
    assert readings[0] == (2, 23) and (1, 20) in readings


def test_integer_and_decimal():
    assert first(integer, "42") == (1, 42)
    assert first(decimal, "1.5 hours") == (3, 1.5)
    assert first(decimal, "1 . 5")[1] == 1.0  # spaced dot is not a decimal point


def test_ordinals():
    assert first(ordinal, "3rd") == (2, 3)
    assert first(ordinal, "twenty-first")[1] == 21
    assert first(ordinal, "thirtieth")[1] == 30
    assert ordinal(tokenize("3 rd"), 0) == []
