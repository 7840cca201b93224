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
# Ordinals written before the act or scene word: "FIRST ACT", "The Second Scene", "Premier acte",
# "FÖRSTA AKTEN", "Andra scenen", "PRIMUS ACTUS".
ORDINALS_BEFORE = {
    "en": ("FIRST", "SECOND", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH", "LAST",
           "FINAL"),
    "fr": ("PREMIER", "PREMIÈRE", "PREMIERE"),
    "sv": ("FÖRSTA", "ANDRA", "ANDRE", "TREDJE", "FJÄRDE", "FJERDE", "FEMTE", "SJÄTTE", "SJETTE", "SJUNDE", "ÅTTONDE",
           "NIONDE", "TIONDE", "ELFTE", "TOLFTE", "TRETTONDE", "TRETONDE", "FJORTONDE", "FEMTONDE", "SEXTONDE",
           "SJUTTONDE", "SJUTONDE", "ADERTONDE", "ARTONDE", "NITTONDE", "TJUGONDE", "SISTA"),
    "la": ("PRIMUS", "SECUNDUS", "TERTIUS", "QUARTUS", "QUINTUS", "SEXTUS", "PRIMA", "SECUNDA", "TERTIA", "QUARTA",
           "QUINTA", "SEXTA"),
    # "EERSTE BEDRYF", "Derde Tooneel" (old spellings: Y for IJ)
    "nl": ("EERSTE", "TWEEDE", "DERDE", "VIERDE", "VYFDE", "VIJFDE", "ZESDE", "ZEVENDE", "ACHTSTE", "NEGENDE", "TIENDE",
           "LAATSTE"),
}
# The words such an ordinal stands before (any language's ordinal, any language's word).
WORDS_AFTER_ORDINAL = {
    "en": ("ACT", "SCENE", "PART"),
    "fr": ("ACTE", "SCÈNE", "SCENE", "TABLEAU"),
    "sv": ("AKTEN", "SCENEN", "AKT", "SCEN", "AFDELNINGEN", "AVDELNINGEN", "TABLÅN"),
    "la": ("ACTUS", "SCAENA", "SCENA"),
    "nl": ("BEDRYF", "BEDRIJF", "TOONEEL", "TONEEL", "UITKOMST", "UYTKOMST"),
}
# German ordinals: stems and the endings they take ("Erster Aufzug", "Dritte Szene", "des ersten Aufzugs").
ORDINAL_STEMS_DE = ("ERST", "ZWEIT", "DRITT", "VIERT", "FÜNFT", "SECHST", "SIEBENT", "SIEBT", "ACHT", "NEUNT", "ZEHNT",
                    "ELFT", "ZWÖLFT", "LETZT",
                    "ZWEYT", "FUNFT", "SIEBEND", "ZEHENT", "EILFT")  # older spellings: "Zweyter Auftritt", "Eilfter"
ORDINAL_ENDINGS_DE = ("ER", "EN", "ES", "E")
# German units that make the ordinals from 13 on: "Dreizehnter", "Sechszehnte", "Ein und zwanzigster".
ORDINAL_UNITS_DE = ("EIN", "ZWEI", "ZWEY", "DREI", "DREY", "VIER", "FÜNF", "FUNF", "SECH", "SECHS", "SIEB", "SIEBEN",
                    "ACHT", "NEUN")
ORDINAL_TENS_DE = ("ZWANZIGST", "DREISSIGST", "DREIẞIGST", "DREIßIGST")
# Ordinals written after the act or scene word: "Acte deuxième", "ACT FIRST."
ORDINALS_AFTER = {
    "fr": ("PREMIER", "PREMIÈRE", "PREMIERE", "SECOND", "SECONDE", "DEUXIÈME", "TROISIÈME", "QUATRIÈME", "CINQUIÈME",
           "SIXIÈME", "SEPTIÈME", "HUITIÈME", "NEUVIÈME", "DIXIÈME", "DERNIER", "DERNIÈRE", "DERNIERE"),
    "en": ("FIRST", "THIRD", "FOURTH", "FIFTH", "SIXTH", "SEVENTH", "EIGHTH", "NINTH", "TENTH", "LAST"),
}
# Numbers in words after the act or scene word: "ACT ONE", "Scene Twelve".
NUMBER_WORDS = ("ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN", "ELEVEN", "TWELVE")
# Ordinals after the word as stems and the endings they take: "Atto primo", "Escena segunda",
# "Scena undicesima", "ACTUS SECUNDUS", "ДЕЙСТВИЕ ПЕРВОЕ", "ЯВЛЕНИЕ ОДИННАДЦАТОЕ", "АКТ ВТОРОЙ".
ORDINAL_STEMS_AFTER = {
    "it": (("PRIM", "SECOND", "TERZ", "QUART", "QUINT", "SEST", "SETTIM", "OTTAV", "NON", "DECIM", "ULTIM", "UNIC",
            "UNDICESIM", "UNDECIM", "DODICESIM", "DUODECIM", "TREDICESIM", "QUATTORDICESIM", "QUINDICESIM", "SEDICESIM",
            "DICIASSETTESIM", "DICIOTTESIM", "DICIANNOVESIM", "VENTESIM", "VIGESIM"), ("O", "A")),
    "es": (("PRIMER", "SEGUND", "TERCER", "TERCI", "CUART", "QUINT", "SEXT", "SÉPTIM", "SEPTIM", "OCTAV", "NOVEN",
            "DÉCIM", "UNDÉCIM", "UNDECIM", "DUODÉCIM", "DUODECIM", "ÚNIC", "ULTIM", "ÚLTIM"), ("O", "A")),
    "la": (("PRIM", "SECUND", "TERTI", "QUART", "QUINT", "SEXT", "SEPTIM", "OCTAV", "NON", "DECIM", "ULTIM",
            "POSTREM"), ("US", "A", "UM")),
    "ru": (("ПЕРВ", "ВТОР", "ТРЕТ", "ЧЕТВЕРТ", "ЧЕТВЁРТ", "ПЯТ", "ШЕСТ", "СЕДЬМ", "ВОСЬМ", "ДЕВЯТ", "ДЕСЯТ",
            "ОДИННАДЦАТ", "ДВЕНАДЦАТ", "ТРИНАДЦАТ", "ЧЕТЫРНАДЦАТ", "ПЯТНАДЦАТ", "ШЕСТНАДЦАТ", "СЕМНАДЦАТ",
            "ВОСЕМНАДЦАТ", "ДЕВЯТНАДЦАТ", "ДВАДЦАТ", "ПОСЛЕДН"), ("ОЕ", "АЯ", "ЫЙ", "ОЙ", "ИЙ", "ЬЕ", "ЬЯ", "ИЕ", "ЕЕ", "ЯЯ")),
}
# Tens written before an Italian or Spanish unit in one word: "Scena decimaterza", "Escena decimacuarta".
ORDINAL_TENS_PREFIX_AFTER = ("DECIMA", "DECIMO", "DÉCIMA", "DÉCIMO")
# What may follow the number of a play's last scene: "SCÈNE XXV et dernière", "Scena XII e ultima".
LAST_SCENE_MARKS = ("ET DERNIÈRE", "ET DERNIERE", "E ULTIMA", "Y ÚLTIMA", "Y ULTIMA", "UND LETZTE")
ORDINALS_AFTER_BARE = ("PRIMER", "FINAL")  # "Acto primer", "ESCENA FINAL"
# The words for an act or a scene, every language.
ACT_WORDS = {
    "en": ("ACT", "SCENE", "PART", "EPISODE"),
    "fr": ("ACTE", "SCENE", "SCÈNE", "TABLEAU"),
    "de": ("AKT", "AUFZUG", "AUFTRITT", "SZENE", "BILD"),
    "it": ("ATTO", "SCENA", "QUADRO"),
    "es": ("ACTO", "ESCENA", "CUADRO", "JORNADA"),
    "ru": ("ДЕЙСТВИЕ", "ЯВЛЕНИЕ", "КАРТИНА", "СЦЕНА", "АКТ"),
    "sv": ("AKT", "SCEN", "TABLÅ"),
    "la": ("ACTUS", "SCAENA", "SCENA"),
    "nl": ("BEDRYF", "BEDRIJF", "TOONEEL", "TONEEL", "UITKOMST", "UYTKOMST"),
}
# Of these, the words for an act (a level-2 heading; the rest head scenes).
ACT_LEVEL_WORDS = ("ACT", "ACTE", "AKT", "AKTEN", "AUFZUG", "ATTO", "ACTO", "JORNADA", "ACTUS", "ДЕЙСТВИЕ", "АКТ", "PART", "BEDRYF", "BEDRIJF",
                   "PROLOGUE", "EPILOGUE", "PROLOGUS", "EPILOGUS", "PROLOG", "EPILOG")
# German words an ordinal stands before ("Erster Teil").
ACT_WORDS_AFTER_ORDINAL_DE = ("AKT", "AUFZUG", "AUFTRITT", "SZENE", "BILD", "TEIL", "SCENE", "ACT", "ACKT")
# Parts of a play that stand as headings without a number.
FRAME_WORDS = ("PROLOGUE", "EPILOGUE", "INDUCTION", "INTERLUDE", "ENTR'?ACTE", "VORSPIEL", "NACHSPIEL", "PROLOGO",
               "PRÓLOGO", "EPILOGO", "EPÍLOGO", "ПРОЛОГ", "ЭПИЛОГ")
# Frame words that also name who speaks them (Plautus's PROLOGUS): a heading only alone on its line.
FRAME_WORDS_ALONE = ("PROLOGUS", "EPILOGUS", "PROLOG", "EPILOG", "ALTER PROLOGUS")
# A cast list's heading, besides the English ones (census.py: "Dramatis Personae", "Characters", "Cast of
# characters"…); written in capitals, as patterns ("ΠΡ\S{1,2}ΣΩΠΑ" takes the Greek with any accent).
CAST_HEADINGS = {
    "fr": ("(?:LES )?PERSONNAGES?", "(?:LES )?ACTEURS?"),
    "de": ("(?:DIE )?PERSONEN(?: DER HANDLUNG| DES VORSPIELS)?", "PERSONENVERZEICHNIS"),
    "it": ("PERSONAGGI", "INTERLOCUTORI", "ATTORI",
           "(?:LE )?PERSONE(?: CHE PARLANO| DELLA TRAGEDIA(?: CHE PARLANO)?| DELLA COMMEDIA| DE LA COMEDIA)?"),
    "es": ("PERSONAJES(?: ACTORES)?", "ACTORES", "REPARTO"),
    "la": ("PERSONAE", "(?:FABULAE )?INTERLOCUTORES"),
    "sv": ("PERSONER(?:NA)?", "ROLL?ER(?:NA)?"),
    "ru": ("ДЕЙСТВУЮЩИЕ ЛИЦА", "ЛИЦА", "ДЕЙСТВУЮЩИЕ"),
    "grc": (r"(?:\S+ ){0,3}ΠΡ\S{1,2}ΣΩΠΑ",),  # "Τὰ τοῦ δράματος πρόσωπα", "ΤᾺ ΤΟΥ͂ ΔΡΆΜΑΤΟΣ ΠΡΌΣΩΠΑ"
    "nl": (r"PERSONAGI[EË]N(?: VAN ?'?T(?: \S+)? SPEL)?", "PERSONAGES", "VERTOONERS", "VERTONERS", "SPEELDERS"),
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
    "ACT_LEVEL_WORDS",
    "ACT_WORDS",
    "ACT_WORDS_AFTER_ORDINAL_DE",
    "ALONE_WORDS",
    "CAST_HEADINGS",
    "FRAME_WORDS",
    "FRAME_WORDS_ALONE",
    "HONORIFICS",
    "LAST_SCENE_MARKS",
    "NUMBER_WORDS",
    "ORDINALS_AFTER",
    "ORDINALS_AFTER_BARE",
    "ORDINALS_BEFORE",
    "ORDINAL_ENDINGS_DE",
    "ORDINAL_STEMS_AFTER",
    "ORDINAL_STEMS_DE",
    "ORDINAL_TENS_DE",
    "ORDINAL_TENS_PREFIX_AFTER",
    "ORDINAL_UNITS_DE",
    "READS_WORDS",
    "SENTENCE_OPENERS",
    "SETTING_OPENERS",
    "SETTING_VERBS",
    "WORDS_AFTER_ORDINAL",
    "alternation",
]
