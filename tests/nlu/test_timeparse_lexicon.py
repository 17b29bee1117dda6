from nlu.timeparse.lexicon import FINER_UNIT, PARTS_OF_DAY, UNIT_SECONDS, UNITS


def test_every_unit_has_a_length_and_reaches_seconds():
    for unit in set(UNITS.values()):
        assert unit in UNIT_SECONDS
        u = unit
        while u != "second":
            u = FINER_UNIT[u]


def test_parts_of_day_are_ordered_hours():
    for start, end, meridiem in PARTS_OF_DAY.values():
        assert 0 <= start < end <= 24 and meridiem in ("am", "pm")
