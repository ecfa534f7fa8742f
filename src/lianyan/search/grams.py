"""Grams of Chinese text, for the index and for a query — pure.

Chinese has no spaces between words, so text is cut into *runs* of letters and digits (a CJK
character is a letter), lower-cased, and each run gives its characters and its pairs of
adjacent characters. A document is indexed under every distinct gram of its title and body;
a query word of one character is looked up by that character, a longer one by its pairs, and
the word itself is then checked in the text (``LIKE``), so results are exact.
"""

from __future__ import annotations

import re
import unicodedata

#: Runs of letters and digits (``\\w`` without ``_``): CJK characters, Latin words, numbers.
_RUN = re.compile(r"[^\W_]+")
#: Longest query accepted, in characters.
MAX_QUERY_CHARS = 50
#: Most words of a query (separated by spaces).
MAX_WORDS = 5


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[str]:
    """The runs of letters and digits of ``text``, normalised."""
    return _RUN.findall(normalise(text))


def doc_grams(*texts: str) -> set[str]:
    """Every distinct character and adjacent pair of the runs of ``texts``."""
    grams: set[str] = set()
    for text in texts:
        for run in runs(text):
            grams.update(run)
            grams.update(run[i:i + 2] for i in range(len(run) - 1))
    return grams


def query_words(q: str) -> list[str]:
    """The words of a query: its runs, duplicates removed, longest first."""
    seen: dict[str, None] = {}
    for run in runs(q):
        seen.setdefault(run, None)
    return sorted(seen, key=len, reverse=True)


def word_grams(word: str) -> list[str]:
    """The grams a document containing ``word`` must have: the word itself when it is one
    character, else its pairs, non-overlapping where possible (fewer index look-ups)."""
    if len(word) == 1:
        return [word]
    pairs = [word[i:i + 2] for i in range(0, len(word) - 1, 2)]
    if len(word) % 2 == 1:
        pairs.append(word[-2:])
    return list(dict.fromkeys(pairs))
