import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))

import eval_time


def test_category_filter():
    base = {"reftime": "2013-02-12T04:30:00-02:00", "latent": False, "dim": "time"}
    day = {**base, "text": "tomorrow", "expected": {"type": "value", "grain": "day"}}
    xmas = {
        **base,
        "text": "christmas",
        "expected": {"type": "value", "grain": "day", "holiday": "Christmas"},
    }
    month = {**base, "text": "march", "expected": {"type": "value", "grain": "month"}}
    assert eval_time.category(day) == "day"
    assert eval_time.category(xmas) is None
    assert eval_time.category(month) is None
    assert eval_time.category({**base, "text": "x", "expected": None}) == "negatives"


def test_judge_interval_and_value():
    line = {
        "text": "3-4pm",
        "dim": "time",
        "expected": {
            "type": "interval",
            "grain": "hour",
            "interval": ["2013-02-12T15:00:00.000-02:00", "2013-02-12T17:00:00.000-02:00"],
        },
    }
    ent = {"entity": "time", "start": 0, "end": 5, "value": "2013-02-12T15:00:00.000-02:00",
           "additional_info": {"type": "interval", "from": "2013-02-12T15:00:00.000-02:00",
                               "to": "2013-02-12T17:00:00.000-02:00"}}  # fmt: skip
    assert eval_time.judge(line, [ent])
    assert not eval_time.judge(line, [])


def test_missing_corpus_skips(tmp_path, capsys):
    assert eval_time.main([str(tmp_path)]) == 0
    assert "skip" in capsys.readouterr().out


def test_small_corpus_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(eval_time, "FAILURES", tmp_path / "var" / "f.jsonl")
    monkeypatch.setattr(eval_time, "ROOT", tmp_path)
    ref = "2013-02-12T04:30:00-02:00"
    time_lines = [
        {"text": "tomorrow", "reftime": ref, "dim": "time", "latent": False,
         "expected": {"type": "value", "grain": "day", "value": "2013-02-13T00:00:00.000-02:00"}},
        {"text": "laughing out loud", "reftime": ref, "dim": "time", "expected": None},
    ]  # fmt: skip
    dur_lines = [
        {
            "text": "2 mins",
            "reftime": ref,
            "dim": "duration",
            "expected": {"value": 2, "unit": "minute", "normalized_seconds": 120},
        }
    ]
    (tmp_path / "time_en.jsonl").write_text("\n".join(map(json.dumps, time_lines)))
    (tmp_path / "duration_en.jsonl").write_text("\n".join(map(json.dumps, dur_lines)))
    assert eval_time.main([str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "overall         3/3" in out
