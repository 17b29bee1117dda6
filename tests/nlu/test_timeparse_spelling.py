import pytest

from nlu.timeparse.rules import STARTERS
from nlu.timeparse.spelling import TARGETS, correct_tokens, correction, corrections
from nlu.timeparse.tokens import tokenize
from tests.nlu.helpers import BOOK_REF, times

NAMES = str.split(
    "monica mary marc marcia fred janet julie julia augustine augusta sunny sandy mona monty "
    "satya thor thurston wendy noel evelyn evangeline morgan morena moira mortimer nigel "
    "octavia octavio novak nova seth septimus janice janie toby tomas tommy tomo mindy minnie "
    "minerva houston hugh tonya tony toni tamara thomas theodora theo frieda freddy sunita "
    "sunil monika monique mayra marco marcel marcus marla margo marta martha julian juliet "
    "decker dexter desmond octavian tomoko evan evans nightingale frida"
)
WORDS = str.split(
    "mourning match marsh monkey mundane sundae sundry fried fries frying thirsty wedding "
    "weekly weakened evenly events nights nightly knight right light tight sight tonic tomato "
    "toady toddy hourly houses horse house minuets mints second secondly decimal decent moon "
    "soon yeasty quartet quartz fortune octopus novel septum janitor febrile apricot saturn "
    "saturate mayor marching"
)


def _read(text: str) -> list[str]:
    return [t.text for t in correct_tokens(text, tokenize(text), STARTERS)]


@pytest.mark.parametrize(
    ("typed", "word"),
    [
        ("tomoro", "tomorrow"), ("tomorrw", "tomorrow"), ("thursdy", "thursday"),
        ("thrusday", "thursday"),
        ("wednsday", "wednesday"), ("wensday", "wednesday"), ("satuday", "saturday"),
        ("fryday", "friday"), ("tuseday", "tuesday"), ("febuary", "february"),
        ("feburary", "february"), ("septmber", "september"), ("decmber", "december"),
        ("ocotber", "october"), ("aftrnoon", "afternoon"), ("afternon", "afternoon"),
        ("evning", "evening"), ("morining", "morning"), ("tonigth", "tonight"),
        ("yesturday", "yesterday"), ("minuts", "minute"), ("mintues", "minutes"),
        ("secnds", "seconds"), ("wekend", "weekend"), ("nigth", "night"), ("todya", "today"),
    ],
)  # fmt: skip
def test_typos_of_time_words(typed, word):
    assert correction(typed) == word
    assert _read(f"see you {typed}") == ["see", "you", word]


@pytest.mark.parametrize(
    ("typed", "word"),
    [("tmrow", "tomorrow"), ("2moro", "tomorrow"), ("2morrow", "tomorrow"), ("2day", "today"),
     ("2nite", "tonight"), ("tonit", "tonight"), ("weds", "wednesday"), ("nxt", "next"),
     ("rightnow", "now"), ("midnite", "midnight")],
)  # fmt: skip
def test_chat_shorthand(typed, word):
    assert _read(f"ok {typed}") == ["ok", word]


@pytest.mark.parametrize("word", NAMES + WORDS)
def test_names_and_ordinary_words_stay(word):
    assert correction(word) is None
    assert correction(word.capitalize(), strict=True) is None
    assert _read(f"with {word} at 3") == ["with", word, "at", "3"]


def test_short_words_and_short_time_words_are_never_guessed():
    # "mary" is one edit from "may", "marc" from "march", "sun" stays as it always read
    for text in ("mary", "marc", "jun", "jane", "moon", "soon", "four", "your"):
        assert _read(text) == [text]
    assert not any(len(t) < 5 for t in TARGETS)


def test_capitalised_words_get_one_edit_only():
    assert correction("thursdy", strict=True) == "thursday"
    assert correction("tomoro", strict=True) is None  # two edits: maybe a name
    assert _read("Tomoro at 3") == ["tomoro", "at", "3"]


def test_counts_keep_their_digits():
    assert _read("a 2day course") == ["a", "2", "day", "course"]
    assert _read("for 2night") == ["for", "2", "night"]
    assert _read("2days") == ["2", "days"]


def test_offsets_are_what_was_typed():
    text = "Thursdy at 3, 2moro too"
    fixed = correct_tokens(text, tokenize(text), STARTERS)
    assert [(t.text, text[t.start : t.end]) for t in fixed if t.text != text[t.start : t.end]
            .lower()] == [("thursday", "Thursdy"), ("tomorrow", "2moro")]  # fmt: skip
    assert corrections(text, tokenize(text), STARTERS) == [
        ("Thursdy", "thursday"), ("2moro", "tomorrow")]  # fmt: skip


@pytest.mark.parametrize("said", ["tmrw", "tommorow", "tomorow", "tmr"])
def test_shorthand_the_grammar_reads_itself(said):
    assert _read(said) == [said]  # known words are never rewritten
    assert times(f"{said} at 3pm")[0]["value"].startswith("2013-02-13T15:00")


def test_corrected_words_book_the_day():
    ent = times("tomoro at 3pm")[0]
    assert ent["text"] == "tomoro at 3pm" and ent["value"].startswith("2013-02-13T15:00")
    assert times("Wednsday", locale="en_GB")[0]["value"].startswith("2013-02-13")
    assert BOOK_REF.weekday() == 0


@pytest.mark.parametrize(
    ("text", "read"),
    [("halff past 4", ["half", "past", "4"]), ("hlaf past two", ["half", "past", "two"]),
     ("quarter pasr 6", ["quarter", "past", "6"]), ("at elevn", ["at", "eleven"]),
     ("twelev o'clock", ["twelve", "o'clock"]), ("7 oclok", ["7", "o'clock"]),
     ("ten fivteen", ["ten", "fifteen"]), ("thre pm", ["three", "pm"])],
)  # fmt: skip
def test_short_clock_words_are_guessed_next_to_a_clock_word(text, read):
    assert _read(text) == read


@pytest.mark.parametrize(
    "text",
    ["halff a dozen", "my fiev friends", "Nien at 5", "sevn", "the pasr week", "Thre at 4"],
)  # fmt: skip
def test_clock_words_are_not_guessed_alone_in_names_or_far_from_a_clock_word(text):
    assert _read(text) == [t.text for t in tokenize(text)]


def test_a_typo_of_half_past_reads_as_the_time():
    assert [e["value"][11:16] for e in times("halff past 4")] == ["04:30"]
