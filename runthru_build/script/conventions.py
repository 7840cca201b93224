"""The words plays use for their structure, by language: data the parser's patterns are built from.

``play.py`` joins these into its patterns for act and scene lines, end marks, and the
direction that leaves one character on stage; ``census.py`` reads titles and cast-list
headings from here.  Adding a language (or a word a real play uses) is a change to these
tables, with a fixture in ``tests/fixtures/scripts/`` and its golden reading
(``python tests/golden.py --update``), not a new branch in the code.  Words are written in
capitals; patterns match them in any case.
"""

from __future__ import annotations

# Titles and abbreviations whose full stop is no cue's end: "MRS. LINDE.", "M. Tul.", "DR. RANK."
ABBREVIATED_TITLES = frozenset({
    "MR", "MRS", "MS", "MISS", "DR", "ST", "LT", "SGT", "CAPT", "COL", "GEN", "REV", "PROF", "MME", "MLLE", "M", "MM",
    "MESSRS", "SIR", "FR", "BRO", "SR", "JR", "GOV", "SEN", "REP", "PVT", "CPL", "MAJ", "ADM", "HON", "DON", "MT",
})
# Of those, the ones that never stand alone as a cue ("MRS. Linde walks in" is no speech of MRS); the
# others may abbreviate a part's name where the play cues it so ("SEN. Vt aétas…": Plautus's senex,
# "CAPT. Aye.").
HONORIFICS = frozenset({"MR", "MRS", "MS", "MISS", "DR", "ST", "MME", "MLLE", "M", "MM", "MESSRS", "FR", "BRO", "SR", "JR",
                        "MT"})  # not SIR, DON: "SIR." abbreviates Metastasio's Siroe
# Ordinals written before the act or scene word: "FIRST ACT", "The Second Scene", "Premier acte".
ORDINALS_BEFORE = {
    "en": ("FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH", "LAST",
           "FINAL"),
    "fr": ("PREMIER", "PREMIÈRE"),
}
# German ordinals: stems and the endings they take ("Erster Aufzug", "Dritte Szene", "des ersten Aufzugs").
ORDINAL_STEMS_DE = ("ERST", "ZWEIT", "DRITT", "VIERT", "FÜNFT", "SECHST", "SIEBENT", "SIEBT", "ACHT", "NEUNT", "ZEHNT",
                    "ELFT", "ZWÖLFT", "LETZT")
ORDINAL_ENDINGS_DE = ("ER", "EN", "ES", "E")
# Ordinals written after the act or scene word: "Acte deuxième", "ACT FIRST."
ORDINALS_AFTER = {
    "fr": ("PREMIER", "PREMIÈRE", "SECOND", "SECONDE", "DEUXIÈME", "TROISIÈME", "QUATRIÈME", "CINQUIÈME", "SIXIÈME",
           "SEPTIÈME", "HUITIÈME", "NEUVIÈME", "DIXIÈME", "DERNIER", "DERNIÈRE"),
    "en": ("FIRST", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH", "LAST"),
    # "ДЕЙСТВИЕ ПЕРВОЕ", "ЯВЛЕНИЕ ТРЕТЬЕ" (neuter), "КАРТИНА ВТОРАЯ", "СЦЕНА ПЕРВАЯ" (feminine)
    "ru": ("ПЕРВОЕ", "ВТОРОЕ", "ТРЕТЬЕ", "ЧЕТВЕРТОЕ", "ЧЕТВЁРТОЕ", "ПЯТОЕ", "ШЕСТОЕ", "СЕДЬМОЕ", "ВОСЬМОЕ", "ДЕВЯТОЕ",
           "ДЕСЯТОЕ", "ПОСЛЕДНЕЕ", "ПЕРВАЯ", "ВТОРАЯ", "ТРЕТЬЯ", "ЧЕТВЕРТАЯ", "ЧЕТВЁРТАЯ", "ПЯТАЯ", "ШЕСТАЯ",
           "СЕДЬМАЯ", "ВОСЬМАЯ", "ДЕВЯТАЯ", "ДЕСЯТАЯ", "ПОСЛЕДНЯЯ"),
}
# Numbers in words after the act or scene word: "ACT ONE", "Scene Twelve".
NUMBER_WORDS = ("ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "ELEVEN", "TWELVE")
# Italian and Spanish ordinals after the word, as stems taking -O or -A: "Atto primo", "Escena segunda".
ORDINAL_STEMS_AFTER = {
    "it": ("PRIM", "SECOND", "TERZ", "QUART", "QUINT", "SEST", "SETTIM", "OTTAV", "NON", "DECIM", "ULTIM", "UNIC"),
    "es": ("PRIMER", "SEGUND", "TERCER", "CUART", "QUINT", "SEXT", "SÉPTIM", "ÚNIC", "ULTIM", "ÚLTIM"),
}
ORDINALS_AFTER_BARE = ("PRIMER",)  # "Acto primer"
# The words for an act or a scene, every language.
ACT_WORDS = {
    "en": ("ACT", "SCENE", "PART", "EPISODE"),
    "fr": ("ACTE", "SCENE", "SCÈNE", "TABLEAU"),
    "de": ("AKT", "AUFZUG", "AUFTRITT", "SZENE", "BILD"),
    "it": ("ATTO", "SCENA", "QUADRO"),
    "es": ("ACTO", "ESCENA", "CUADRO", "JORNADA"),
    "ru": ("ДЕЙСТВИЕ", "ЯВЛЕНИЕ", "КАРТИНА", "СЦЕНА"),
}
# German words an ordinal stands before ("Erster Teil").
ACT_WORDS_AFTER_ORDINAL_DE = ("AKT", "AUFZUG", "AUFTRITT", "SZENE", "BILD", "TEIL")
# Parts of a play that stand as headings without a number.
FRAME_WORDS = ("PROLOGUE", "EPILOGUE", "INDUCTION", "INTERLUDE", "ENTR'?ACTE", "VORSPIEL", "NACHSPIEL", "PROLOGO",
               "PRÓLOGO", "EPILOGO", "EPÍLOGO")
# A cast list's heading, besides the English ones (census.py: "Dramatis Personae", "Characters", "Cast of
# characters"…); written in capitals (a pattern, as "ΠΡ\S{1,2}ΣΩΠΑ" takes the Greek with any accent).
CAST_HEADINGS = {
    "fr": ("PERSONNAGES",),
    "de": ("PERSONEN DER HANDLUNG", "PERSONEN"),
    "it": ("PERSONAGGI", "INTERLOCUTORI"),
    "es": ("PERSONAJES",),
    "la": ("PERSONAE",),
    "sv": ("PERSONER",),
    "ru": ("ДЕЙСТВУЮЩИЕ ЛИЦА", "ЛИЦА"),
    "grc": (r"(?:\S+ ){0,3}ΠΡ\S{1,2}ΣΩΠΑ",),  # "Τὰ τοῦ δράματος πρόσωπα", "ΤᾺ ΤΟΥ͂ ΔΡΆΜΑΤΟΣ ΠΡΌΣΩΠΑ"
}
# A setting written as a plain line ("A Garden.", "Night. A lonely road.", "Une forêt."): it opens
# with an article or a time of day, and no sentence in it has a verb from this list.
SETTING_OPENERS = ("A", "AN", "THE", "UN", "UNE", "LE", "LA", "LES", "EIN", "EINE", "DER", "DIE", "DAS", "NIGHT",
                   "MORNING", "EVENING", "DAWN", "NOON", "MIDNIGHT", "NUIT", "MATIN", "SOIR", "NACHT", "MORGEN", "ABEND")
SETTING_VERBS = ("IS", "ARE", "WAS", "WERE", "BE", "BEEN", "HAS", "HAVE", "HAD", "WILL", "SHALL", "DO", "DOES", "DID",
                 "CAN", "MAY", "MUST", "COMES", "GOES", "EST", "SONT", "IST", "SIND", "WAR")
# A direction that leaves one character on stage: "Martha alone.", "GASTON, seul.".
ALONE_WORDS = ("ALONE", "SEUL", "SEULE", "ALLEIN", "SOLA", "SOLO", "SOLUS")
# A direction after which the uncued words are the named character's: "BEN reads.", "Sings."
READS_WORDS = ("READS", "READS ALOUD", "READING", "SINGS", "SINGING")


# Words that open a sentence, never a character's name, in a line that ends with a colon as a cue does
# ("Und er sprach:", "He said:"); a cue may open with an article ("Die erste Amazone:", "Il conte:").
SENTENCE_OPENERS = ("I", "IT", "HE", "SHE", "WE", "THEY", "YOU", "THIS", "THAT", "THERE", "HERE", "WHAT", "NOTE", "THEN",
                    "ER", "SIE", "ES", "ICH", "DU", "WIR", "UND", "DANN", "SO", "DA", "JE", "TU", "ELLE", "NOUS", "VOUS",
                    "ON", "ET", "IO", "LUI", "LEI", "NOI", "VOI", "YO", "ÉL", "ELLA", "JAG", "HAN", "HON", "VI", "NI", "OCH")


def alternation(words: tuple[str, ...] | list[str]) -> str:
    """``(?:A|B|C)`` for a pattern, in the order given."""
    return "(?:" + "|".join(words) + ")"


__all__ = [
    "ABBREVIATED_TITLES",
    "ACT_WORDS",
    "ACT_WORDS_AFTER_ORDINAL_DE",
    "ALONE_WORDS",
    "CAST_HEADINGS",
    "FRAME_WORDS",
    "HONORIFICS",
    "NUMBER_WORDS",
    "ORDINALS_AFTER",
    "ORDINALS_AFTER_BARE",
    "ORDINALS_BEFORE",
    "ORDINAL_ENDINGS_DE",
    "ORDINAL_STEMS_AFTER",
    "ORDINAL_STEMS_DE",
    "READS_WORDS",
    "SETTING_OPENERS",
    "SENTENCE_OPENERS",
    "SETTING_VERBS",
    "alternation",
]
