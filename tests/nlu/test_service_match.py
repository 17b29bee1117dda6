"""service_match: a customer's words to one of the tenant's services, by class of variation
(spacing, plurals, typos, word order, fillers, longer names), and what must never match."""

from __future__ import annotations

import pytest

from nlu.service_match import Offering, best_service, service_matches, singular, words_of

SALON = [
    Offering(1, "Haircut", ("cut", "trim")),
    Offering(2, "Massage", ("back rub",)),
    Offering(3, "Blow-dry & cut"),
    Offering(4, "Manicure"),
    Offering(5, "Men's haircut"),
    Offering(6, "Beard trim"),
    Offering(7, "Deep tissue massage"),
]


def best(text: str) -> str | None:
    match = best_service(text, SALON)
    return match.offering.name if match else None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("can I book a haircut tomorrow at 3", "Haircut"),
        ("hair cut please", "Haircut"),  # spacing
        ("I need my hair cut on Friday", "Haircut"),
        ("HAIRCUTS for two", "Haircut"),  # plural, case
        ("a trim", "Haircut"),  # synonym
        ("blow dry and cut", "Blow-dry & cut"),  # word order, punctuation
        ("a cut and blow-dry", "Blow-dry & cut"),  # the longer name over "cut" alone
        ("men\u2019s haircut at 10", "Men's haircut"),  # curly apostrophe, longer name
        ("beard trim", "Beard trim"),
        ("massages", "Massage"),
        ("a back rub", "Massage"),
        ("massage deep tissue", "Deep tissue massage"),
        ("therapies", None),
    ],
)
def test_exact_in_any_form(text: str, name: str | None) -> None:
    assert best(text) == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("a haicut", "Haircut"),  # a letter missing
        ("the haircutt at 4", "Haircut"),  # one too many
        ("a hiarcut", "Haircut"),  # a swapped pair is one edit
        ("masage on friday", "Massage"),
        ("a manicur", "Manicure"),
        ("deep tisue massage", "Deep tissue massage"),
    ],
)
def test_typos_of_non_words(text: str, name: str) -> None:
    match = best_service(text, SALON)
    assert match is not None and match.offering.name == name and match.score < 100


@pytest.mark.parametrize(
    "text",
    ["can I leave a message", "my cat", "book something", "what time is it", "cute", "", "!!!"],
)
def test_ordinary_words_never_match(text: str) -> None:
    assert service_matches(text, SALON) == []


def test_part_of_a_name_is_a_choice_not_a_guess() -> None:
    assert best("beard") is None
    assert [m.offering.name for m in service_matches("beard", SALON)] == ["Beard trim"]
    both = [m.offering.name for m in service_matches("a massage", SALON)]
    assert both[0] == "Massage" and "Deep tissue massage" in both
    assert best("a massage") == "Massage"  # the exact name is clear


def test_equal_candidates_are_not_guessed() -> None:
    twins = [Offering(1, "Cut"), Offering(2, "Cut", ("cut",))]
    assert best_service("a cut", twins) is None
    assert len(service_matches("a cut", twins)) == 2


def test_phrase_is_what_the_customer_typed() -> None:
    [top, *_] = service_matches("Can I get a Hair-Cut tmrw", SALON)
    assert top.offering.id == 1 and top.phrase == "hair cut"


def test_no_services_no_match() -> None:
    assert service_matches("a haircut", []) == [] and best_service("a haircut", []) is None


@pytest.mark.parametrize(
    ("word", "one"),
    [("haircuts", "haircut"), ("therapies", "therapy"), ("lashes", "lash"), ("class", "class"),
     ("massages", "massage"), ("waxes", "wax"), ("gas", "gas"), ("bus", "bus")],
)
def test_singular(word: str, one: str) -> None:
    assert singular(word) == one


def test_words_drop_fillers_and_possessives() -> None:
    assert [w for w, _ in words_of("My appointment for the men's cuts & blow-dry")] == [
        "men", "cut", "blow", "dry"]  # fmt: skip
