from nlu.timeparse.tokens import tokenize


def test_tokens_keep_offsets_and_glue():
    text = "Meet 3:30pm, o'clock"
    toks = tokenize(text)
    assert [t.text for t in toks] == ["meet", "3", ":", "30", "pm", ",", "o'clock"]
    assert all(text[t.start : t.end].lower() == t.text for t in toks)
    assert [t.glued for t in toks[:5]] == [False, False, True, True, True]


def test_curly_apostrophe_is_normalised():
    assert tokenize("o\u2019clock")[0].text == "o'clock"


def test_empty_text():
    assert tokenize("   ") == []
