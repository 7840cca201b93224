"""Which character names in a script may be one character written two ways.

``check`` warns about them so a director can fix the script: ``JIMY`` beside
``JIMMY`` (a slip of the keyboard), ``CYBER BOB`` beside ``BOB`` (the same
person under a longer name).  Numbered parts (``First Witch`` / ``Second
Witch``, ``PATRON ONE`` / ``PATRON TWO``, ``GUARD #1`` / ``GUARD #2``) are
distinct characters, and so are two different words (``Servant`` /
``Sergeant``), however alike they look letter by letter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_TITLE_WORDS = frozenset({"MR", "MRS", "MS", "MISS", "MASTER", "MISTRESS", "MADAME", "MADAM", "DAME", "MME", "MLLE", "SIR",
                          "LADY", "LORD", "MONSIEUR", "MADEMOISELLE", "HERR", "FRAU"})
# Words that make a new person out of a name: YOUNG SIWARD is Siward's son, SOME OF THE MEN a few of them.
_KIN_WORDS = frozenset({"YOUNG", "YOUNGER", "OLD", "OLDER", "ELDER", "LITTLE", "SOME", "OTHER", "OTHERS", "ANOTHER",
                        "ALL", "FATHER", "MOTHER", "SON", "DAUGHTER", "WIFE", "HUSBAND", "BROTHER", "SISTER"})
_NUMBER_WORDS = frozenset({
    "FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH", "ELEVENTH",
    "TWELFTH", "LAST", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "ELEVEN",
    "TWELVE", "PREMIER", "PREMIÈRE", "PREMIERE", "SECONDE", "TROISIÈME", "ERSTER", "ZWEITER", "DRITTER",
    "DEUX", "TROIS", "QUATRE",
})
_NUMERAL = re.compile(r"^(?:#?\d+(?:ST|ND|RD|TH|ER|E|ÈME|EME)?|[IVXLC]+|[A-Z])$")  # 2, #2, 2ND, IV, B (as in MAN B)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|#\d+")


def _words(name: str) -> list[str]:
    return [w.upper() for w in _WORD.findall(name)]


def _designator(word: str) -> bool:
    """A word that numbers a part: FIRST, TWO, 3RD, #2, IV, B."""
    return word in _NUMBER_WORDS or bool(_NUMERAL.match(word))


def is_numbered(name: str) -> bool:
    """``Second Pirate``, ``Les Deux Surveillants``, ``WITCH 2``: a part numbered among others."""
    return any((_designator(w) and not w.isalpha()) or w in _NUMBER_WORDS for w in _words(name))


def numbered_apart(a: str, b: str) -> bool:
    """``First Apparition`` / ``Third Apparition``, ``1. Witch`` / ``2. Witch``:
    the names differ only where each has a number or ordinal."""
    wa, wb = _words(a), _words(b)
    if len(wa) != len(wb) or wa == wb:
        return False
    return all(x == y or (_designator(x) and _designator(y)) for x, y in zip(wa, wb, strict=True))


def titles_differ(a: str, b: str) -> bool:
    """MRS HALE / HALE, Mr. White / Mrs. White: a title tells two people apart."""
    return bool((set(_words(a)) ^ set(_words(b))) & _TITLE_WORDS)


def edit_distance(a: str, b: str) -> int:
    """Letters to insert, delete, replace or swap (neighbours) to turn ``a`` into ``b``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _letters(name: str) -> str:
    return " ".join(_words(name))


def looks_misspelt(a: str, b: str, counts: Mapping[str, int]) -> bool:
    """Is one of these names probably a slip for the other?  One letter apart on a
    name of four letters or more (JIMY / JIMMY), or two apart where a longer name is
    cued once or twice beside one cued often.  ``counts``: speeches per name."""
    if numbered_apart(a, b) or titles_differ(a, b):
        return False
    la, lb = _letters(a), _letters(b)
    if la == lb:
        return False
    shorter = min(len(la.replace(" ", "")), len(lb.replace(" ", "")))
    if abs(len(la) - len(lb)) > 2:
        return False
    distance = edit_distance(la, lb)
    rare, often = sorted((counts.get(a, 0), counts.get(b, 0)))
    slip = rare <= 2 and often >= 5 * max(rare, 1)
    if distance == 1 and _kindred(la, lb, slip):
        return False
    swapped = distance == 1 and _swapped(la, lb) and rare <= 2 and often > rare  # SMA among SAM's cues
    return (distance == 1 and (shorter >= 4 or slip or swapped)) or (distance == 2 and shorter >= 6 and slip)


def _swapped(a: str, b: str) -> bool:
    """The same letters with two neighbours swapped (SAM / SMA)."""
    if len(a) != len(b):
        return False
    apart = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return len(apart) == 2 and apart[1] == apart[0] + 1 and a[apart[0]] == b[apart[1]] and a[apart[1]] == b[apart[0]]


def _kindred(a: str, b: str, slip: bool) -> bool:
    """MADRE/PADRE, MARIO/MARIA: one letter apart where a typing slip seldom falls (the first
    letter; or, for two names both cued often, the vowel ending a gendered name) -- two
    characters, not one misspelt."""
    if len(a) != len(b):
        return False
    apart = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    return apart == [0] or (not slip and apart == [len(a) - 1] and a[-1] in "AEIOU" and b[-1] in "AEIOU")


def _deletions(text: str) -> set[str]:
    """``text`` with one letter removed, each way, and itself: two strings one edit apart
    (a letter inserted, dropped, changed, or two swapped) share one of these."""
    return {text, *(text[:i] + text[i + 1:] for i in range(len(text)))}


def _close_pairs(names: list[str], counts: Mapping[str, int]) -> set[tuple[int, int]]:
    """Index pairs worth comparing letter by letter, found without comparing every pair: those
    that share a one-deletion variant (one edit apart), and a name heard once or twice beside one
    heard often and about as long (two edits apart count only there)."""
    letters = [_letters(n) for n in names]
    buckets: dict[str, list[int]] = {}
    for i, text in enumerate(letters):
        for key in _deletions(text):
            buckets.setdefault(key, []).append(i)
    pairs = {(a, b) for ids in buckets.values() if len(ids) > 1
             for x, a in enumerate(ids) for b in ids[x + 1:] if a != b}
    often_by_length: dict[int, list[int]] = {}
    for i, name in enumerate(names):
        if counts.get(name, 0) >= 5:
            often_by_length.setdefault(len(letters[i]), []).append(i)
    for i, name in enumerate(names):
        if counts.get(name, 0) <= 2 and len(letters[i]) >= 6:
            for length in range(len(letters[i]) - 2, len(letters[i]) + 3):
                pairs.update((min(i, j), max(i, j)) for j in often_by_length.get(length, ()) if j != i)
    return {(min(a, b), max(a, b)) for a, b in pairs}


def near_duplicates(names: list[str], counts: Mapping[str, int]) -> list[tuple[str, str]]:
    """Pairs such as JIMMY/JIMY that are probably one character misspelt: the name as
    usually cued, then the slip (the one cued less often, or later)."""
    found = []
    for i, j in sorted(_close_pairs(names, counts)):
        a, b = names[i], names[j]
        if looks_misspelt(a, b, counts):
            found.append((b, a) if counts.get(a, 0) < counts.get(b, 0) else (a, b))
    return found


def name_variants(names: list[str]) -> list[tuple[str, str]]:
    """Pairs such as BOB/CYBER BOB: one name is the other with words added (but not
    YOUNG SIWARD beside SIWARD, nor SOME OF THE MEN beside THE MEN)."""
    by_words: dict[tuple[str, ...], list[str]] = {}
    for a in names:
        by_words.setdefault(tuple(_words(a)), []).append(a)
    pairs = []
    for b in names:
        wb = _words(b)
        shorter = {tuple(wb[:k]) for k in range(1, len(wb))} | {tuple(wb[-k:]) for k in range(1, len(wb))}
        found = []
        for words in shorter:
            for a in by_words.get(words, ()):
                if a == b or titles_differ(a, b):
                    continue
                wa = list(words)
                added = wb[len(wa):] if wb[:len(wa)] == wa else wb[:-len(wa)]
                if not _KIN_WORDS.intersection(added):
                    found.append(a)
        pairs += [(a, b) for a in found]
    order = {name: i for i, name in enumerate(names)}
    return sorted(set(pairs), key=lambda p: (order[p[0]], order[p[1]]))
