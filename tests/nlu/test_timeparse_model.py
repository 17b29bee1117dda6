from nlu.timeparse.model import Tod


def test_with_meridiem():
    assert Tod(3, ambiguous=True).with_meridiem("pm").hour == 15
    assert Tod(12, ambiguous=True).with_meridiem("am").hour == 0
    assert Tod(12, ambiguous=True).with_meridiem("pm").hour == 12
    t = Tod(9, ambiguous=True).with_meridiem("am")
    assert t.hour == 9 and not t.ambiguous
