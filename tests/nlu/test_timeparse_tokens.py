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


def test_every_spelling_of_oclock_is_one_token():
    for typed in ('o"clock', "o`clock", "o\u2018clock", "o\u00b4clock", "oclock", "o clock",
                  "O'Clock", "o\u02bcclock"):  # fmt: skip
        text = f"7 {typed} tonight"
        toks = tokenize(text)
        assert [t.text for t in toks] == ["7", "o'clock", "tonight"], typed
        assert text[toks[1].start : toks[1].end] == typed


def test_an_o_that_is_not_oclock_stays():
    assert [t.text for t in tokenize('say "o" then clock in')] == [
        "say", '"', "o", '"', "then", "clock", "in"]  # fmt: skip
    assert [t.text for t in tokenize("o ' clock")] == ["o", "'", "clock"]


def test_hyphenated_ish_is_one_glued_ish():
    toks = tokenize("7-ish, noon-ish or a well - ish")
    assert [t.text for t in toks] == ["7", "ish", ",", "noon", "ish", "or", "a", "well", "-",
                                      "ish"]  # fmt: skip
    assert toks[1].glued and (toks[1].start, toks[1].end) == (1, 5)
