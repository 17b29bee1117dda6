import json

from nlu.timeparse.__main__ import main


def test_single_text(capsys):
    rc = main(["--reftime", "2026-11-30T09:00:00+00:00", "--tz", "Europe/London",
               "--bare-hour-policy", "business_hours", "tomorrow at 5 for 2h"])  # fmt: skip
    assert rc == 0
    ents = json.loads(capsys.readouterr().out)
    assert [e["text"] for e in ents] == ["tomorrow at 5", "2h"]
    assert ents[0]["value"] == "2026-12-01T17:00:00.000+00:00"


def test_jsonl_lines_in_order(tmp_path, capsys):
    lines = [
        {"text": "2/15", "reftime": "2013-02-12T04:30:00-02:00", "locale": "en"},
        {"text": "at 3pm", "reftime": "2013-02-12T04:30:00-02:00", "tz": "UTC"},
        {"text": "nothing here", "reftime": "2013-02-12T04:30:00-02:00"},
        {"reftime": "broken line without text"},
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    assert main(["--jsonl", str(src)]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(out) == 4
    assert out[0]["entities"][0]["value"] == "2013-02-15T00:00:00.000-02:00"
    # zone given on the line wins over the reftime's offset
    assert out[1]["entities"][0]["value"] == "2013-02-12T15:00:00.000+00:00"
    assert out[2]["entities"] == []
    assert out[3]["entities"] == [] and "error" in out[3]
