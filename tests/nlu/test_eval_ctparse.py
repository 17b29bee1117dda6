from scripts import eval_ctparse

CT_REF = "2018-03-07T12:43:00+00:00"


def _ct(text: str, type_: str, start: str, end: str | None, grain: str, lang: str = "en",
        pod: str | None = None) -> dict:  # fmt: skip
    return {"text": text, "reftime": CT_REF, "lang": lang, "latent": False, "pod": pod,
            "expected": {"type": type_, "start": start, "end": end, "grain": grain}}  # fmt: skip


def test_categories_and_neutral_lines():
    assert eval_ctparse.category(_ct("x", "value", CT_REF, None, "day")) == "day"
    assert eval_ctparse.category(_ct("x", "interval", CT_REF, None, "minute")) == "open intervals"
    neutral = _ct("5/8", "value", CT_REF, None, "day", lang="neutral")
    assert eval_ctparse.category(neutral) is None
    assert eval_ctparse.unscored(neutral) == "neutral"


def test_ctparse_part_of_day_as_date_and_our_hours():
    line = _ct("tomorrow morning", "interval", "2018-03-08T06:00:00+00:00",
               "2018-03-08T10:00:00+00:00", "hour", pod="morning")  # fmt: skip
    ours = {"entity": "time", "start": 0, "end": 16, "value": "2018-03-08T00:00:00.000+00:00",
            "additional_info": {"type": "interval", "grain": "hour",
                                "from": "2018-03-08T00:00:00.000+00:00",
                                "to": "2018-03-08T12:00:00.000+00:00"}}  # fmt: skip
    assert eval_ctparse.judge(line, [ours])
    wrong_day = {**ours, "additional_info": {**ours["additional_info"],
                                             "from": "2018-03-09T00:00:00.000+00:00",
                                             "to": "2018-03-09T12:00:00.000+00:00"}}  # fmt: skip
    assert not eval_ctparse.judge(line, [wrong_day])
    assert eval_ctparse.pod_hours("lateevening") >= {(21, 24)}


def test_ctparse_time_plus_duration_is_the_interval():
    line = _ct("today 15:00 for one hour", "interval", "2018-03-07T15:00:00+00:00",
               "2018-03-07T16:01:00+00:00", "minute")  # fmt: skip
    ents = [{"entity": "time", "start": 0, "end": 11, "value": "2018-03-07T15:00:00.000+00:00",
             "additional_info": {"type": "value", "grain": "minute"}},
            {"entity": "duration", "start": 16, "end": 24, "value": 3600}]  # fmt: skip
    assert eval_ctparse.judge(line, ents)
    assert not eval_ctparse.judge(line, ents[:1])
