from datetime import timedelta, timezone

import pytest

from nlu.timeparse.zones import get_zone, offset_name


def test_offsets_and_names():
    assert get_zone("-02:00") == timezone(timedelta(hours=-2))
    assert get_zone("+0530") == timezone(timedelta(hours=5, minutes=30))
    assert get_zone("Z") == timezone.utc
    assert str(get_zone("Europe/London")) == "Europe/London"


def test_unknown_zone_raises():
    with pytest.raises(ValueError):
        get_zone("Mars/Olympus")


def test_offset_name():
    assert offset_name(timedelta(hours=-2)) == "-02:00"
    assert offset_name(timedelta(hours=5, minutes=30)) == "+05:30"
    assert offset_name(None) == "+00:00"
