import pytest

from nlu.timeparse.dayatoms import two_digit_year
from tests.nlu.helpers import value


@pytest.mark.parametrize(("yy", "year"), [(0, 2000), (49, 2049), (50, 1950), (99, 1999)])
def test_two_digit_years(yy, year):
    assert two_digit_year(yy) == year


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("sept. 3 2015", "2015-09-03"),
        ("thu. march 7th '19", "2019-03-07"),
        ("march third two thousand fifteen", "2015-03-03"),
    ],
)
def test_atoms_inside_dates(text, day):
    assert value(text).startswith(day)
