"""Embedded date/time/duration extractor (no Rasa import); see POLICY.md for the readings.

>>> from datetime import datetime
>>> [e["text"] for e in extract("tomorrow at 3pm for 45 minutes",
...                             datetime(2026, 11, 30, 9), "Europe/London")]
['tomorrow at 3pm', '45 minutes']
"""

from nlu.timeparse.extract import POLICIES, extract, warm_up

__all__ = ["POLICIES", "extract", "warm_up"]
