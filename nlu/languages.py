"""Which language a message is in, when it is clearly not English.

Pure functions. The assistant speaks English; a customer who writes "quiero reservar una cita
para mañana" should hear that, in one short line, rather than "Sorry, I didn't get that".
Two signals, both cheap and without a model: the script (Cyrillic, Arabic, CJK, ...) and the
share of a language's most frequent function words. Short or mixed messages stay "English"
so that a name or a borrowed word never triggers it.
"""

from __future__ import annotations

import re
import unicodedata

#: Script prefix of a character's Unicode name -> the language to name (or the script).
SCRIPTS = {
    "CYRILLIC": "Russian",
    "ARABIC": "Arabic",
    "HEBREW": "Hebrew",
    "GREEK": "Greek",
    "DEVANAGARI": "Hindi",
    "THAI": "Thai",
    "HANGUL": "Korean",
    "HIRAGANA": "Japanese",
    "KATAKANA": "Japanese",
    "CJK": "Chinese or Japanese",
}
#: Frequent function words that are not English words (a few hundred per language would be
#: better; these are the ones that carry a booking request).
FUNCTION_WORDS = {
    "Spanish": "el la los las un una unos para por que quiero cita mañana hoy tengo hola "
    "gracias puedo reservar necesito una hora con del está es tarde noche buenos días semana",
    "French": "le la les un une des pour que je voudrais rendez-vous demain aujourd'hui "
    "bonjour merci est avec du au aux une heure réserver j'ai besoin soir matin semaine",
    "German": "der die das ein eine einen für ich möchte termin morgen heute hallo danke "
    "ist mit und um uhr buchen brauche bitte nicht abend woche können",
    "Italian": "il lo gli una per che vorrei appuntamento domani oggi ciao grazie è con "
    "alle prenotare ho bisogno sera settimana",
    "Portuguese": "o os uma para por que eu quero marcar consulta amanhã hoje olá obrigado "
    "obrigada com às reservar preciso uma hora tarde noite semana",
    "Dutch": "de het een voor ik wil afspraak morgen vandaag hallo dank bedankt met om uur "
    "boeken nodig graag avond week",
    "Turkish": "bir için ve ben istiyorum randevu yarın bugün merhaba teşekkürler saat ile",  # noqa: RUF001
    "Polish": "dla że chcę wizytę jutro dzisiaj cześć dziękuję godzinie zarezerwować",
}
_LEXICON = {lang: frozenset(words.split()) for lang, words in FUNCTION_WORDS.items()}
#: Words these lists share with English ("a", "no", "me"...) never count.
_ENGLISH = frozenset(
    "a an the i to on at in for with is it me no do dont hello hi week un die o".split()  # noqa: SIM905
)
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
MIN_WORDS = 3
MIN_SHARE = 0.34
MIN_DISTINCT = 2


def _script_language(text: str) -> str | None:
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return None
    counts: dict[str, int] = {}
    for char in letters:
        if char.isascii():
            continue
        name = unicodedata.name(char, "")
        for prefix, language in SCRIPTS.items():
            if name.startswith(prefix):
                counts[language] = counts.get(language, 0) + 1
                break
    if not counts:
        return None
    language, count = max(counts.items(), key=lambda item: item[1])
    return language if count / len(letters) >= 0.5 else None


def other_language(text: str) -> str | None:
    """The language a message is clearly written in, when that is not English; else None."""
    by_script = _script_language(text)
    if by_script:
        return by_script
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < MIN_WORDS:
        return None
    best, best_share = None, 0.0
    for language, lexicon in _LEXICON.items():
        found = [w for w in words if w in lexicon and w not in _ENGLISH]
        share = len(found) / len(words)
        if len(set(found)) >= MIN_DISTINCT and share > best_share:
            best, best_share = language, share
    return best if best_share >= MIN_SHARE else None
