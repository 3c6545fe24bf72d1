"""Kazakh inflectional suffixes, grouped by morpheme class and harmony variant (data only).

Every allomorph is a triple ``(back, front, after)``:

* ``back`` / ``front`` -- the variant used after a stem whose last vowel is back
  (а о ұ ы я) or front (ә е ө ү і э); equal strings for harmony-neutral suffixes;
* ``after`` -- the letters the stem (or the previous suffix) may END with for this
  allomorph to be chosen (consonant assimilation: -лар after vowels and р й у,
  -дар after л м н ң з ж, -тар after voiceless consonants ...).

The order in which classes may follow each other (the grammar) is code, in
``searchkz/stemmer.py``; the strings live here. Derivational suffixes (-лық,
-шы, -лы, -сыз, -ғы ...) are deliberately absent: they make new words and stay
in the stem.
"""

# --- letter classes for the ``after`` field --------------------------------------------

#: Vowels (including the vowel-or-glide letters и у ю and Russian я ё э).
VOWEL = "аәеиоөуұүыіэюяё"
#: Nasals: м н ң.
NASAL = "мнң"
#: Liquid/glide consonants that behave like vowels for -лар: р й у.
LIQUID = "рйу"
#: Other voiced consonants: л з ж (and ғ, rare at a stem end).
VOICED = "лзжғ"
#: Voiceless consonants, plus б в г д which take the -тар/-тың/-қа row too.
VOICELESS = "пфкқтсшщхцчһбвгд"
#: Any consonant.
CONSONANT = NASAL + LIQUID + VOICED + VOICELESS + "ьъ"
#: Anything.
ANY = VOWEL + CONSONANT
#: Vowels and all voiced consonants (the -ға/-да row).
NOT_VOICELESS = VOWEL + NASAL + LIQUID + VOICED

#: Endings that make nouns of verbs (сын-ақ, жүр-ек, құры-лыс, қуан-ыш): a stem that ends so and
#: is a noun of the lexicon with its own inflections is not cut further (сынақ -> сынақ, not
#: сын).  Not -ма/-ме (шығарма): it is also the negation (көрмеді, алмады); not -ым/-ім
#: (қысым): it is also "my" (қолым, өмірім) -- both measured on the UD dev gold.
DERIVED_NOUN_ENDINGS = ("ақ", "ек", "ық", "ік", "ыс", "іс", "ыш", "іш")
#: -ма/-ме/-ба/-бе/-па/-пе (шығар-ма, көр-ме, жаз-ба) make nouns too, but are also the negation:
#: a derived noun in them is kept only before what can follow only a noun (шығармасының, көрмелер).
DERIVED_NOUN_NEGATION_LIKE = ("ма", "ме", "ба", "бе", "па", "пе")
NOUN_ONLY_AFTER_VOWEL = ("сы", "сі", "лар", "лер", "ның", "нің")
# a surname ending on a Kazakh root: the suffixes after it take the root's harmony (Әуезов-тің,
# Мүсірепов-ке; Иванов-тың, Байтұрсынов-тың: back roots stay back)
SURNAME_ENDING = "ов"
# the ordinal ending written after a hyphen on a number (5-ші, 3-інші, 2-ншы), before any case ending
ORDINAL_AFTER_HYPHEN = ("ыншы", "ынші", "іншы", "інші", "ншы", "нші", "шы", "ші")

# --- nouns ------------------------------------------------------------------------------

PLURAL = (
    ("лар", "лер", VOWEL + LIQUID),
    ("дар", "дер", "лмнңзжғ"),
    ("тар", "тер", VOICELESS),
)

#: 3rd-person possessive (its own class: -н, -на, -нда, -нан, -ндағы follow it).
POSSESSIVE_3 = (
    ("сы", "сі", VOWEL),
    ("ы", "і", CONSONANT),
)

#: 1st/2nd-person singular possessive (the dative after them is -а/-е).
POSSESSIVE_12_SG = (
    ("м", "м", VOWEL),
    ("ым", "ім", CONSONANT),
    ("ң", "ң", VOWEL),
    ("ың", "ің", CONSONANT),
)

#: Other possessives (1pl, 2sg polite, 2pl).
POSSESSIVE_OTHER = (
    ("мыз", "міз", VOWEL),
    ("ымыз", "іміз", CONSONANT),
    ("ңыз", "ңіз", VOWEL),
    ("ыңыз", "іңіз", CONSONANT),
    ("ңдар", "ңдер", VOWEL),
    ("ыңдар", "іңдер", CONSONANT),
)

GENITIVE = (
    ("ның", "нің", VOWEL + NASAL),
    ("дың", "дің", LIQUID + VOICED),
    ("тың", "тің", VOICELESS),
)

DATIVE = (
    ("ға", "ге", NOT_VOICELESS),
    ("қа", "ке", VOICELESS),
)

ACCUSATIVE = (
    ("ны", "ні", VOWEL),
    ("ды", "ді", NASAL + LIQUID + VOICED),
    ("ты", "ті", VOICELESS),
)

LOCATIVE = (
    ("да", "де", NOT_VOICELESS),
    ("та", "те", VOICELESS),
)

ABLATIVE = (
    ("дан", "ден", VOWEL + LIQUID + VOICED),
    ("нан", "нен", NASAL),
    ("тан", "тен", VOICELESS),
)

INSTRUMENTAL = (
    ("мен", "мен", VOWEL + NASAL + LIQUID + VOICED),
    ("бен", "бен", VOICED + LIQUID + NASAL),
    ("пен", "пен", VOICELESS),
    ("менен", "менен", VOWEL + NASAL + LIQUID + VOICED),
    ("бенен", "бенен", VOICED + LIQUID + NASAL),
    ("пенен", "пенен", VOICELESS),
)

#: Case forms used right after a 3rd-person possessive (кітабы-н, кітабы-на ...).
CASE_AFTER_POSSESSIVE_3 = (
    ("н", "н", VOWEL),
    ("на", "не", VOWEL),
    ("нда", "нде", VOWEL),
    ("нан", "нен", VOWEL),
)

#: Dative right after a 1st/2nd-person singular possessive (анам-а, анаң-а).
DATIVE_AFTER_POSSESSIVE_12 = (
    ("а", "е", NASAL),
)

#: "The one in ..." (-дағы), also -ндағы after a 3rd-person possessive.
LOCATIVE_ATTRIBUTIVE = (
    ("дағы", "дегі", NOT_VOICELESS),
    ("тағы", "тегі", VOICELESS),
)
LOCATIVE_ATTRIBUTIVE_AFTER_POSSESSIVE_3 = (
    ("ндағы", "ндегі", VOWEL),
)

#: Similative "like ..." (-дай) and equative "in the manner of ..." (-ша).
SIMILATIVE = (
    ("дай", "дей", NOT_VOICELESS),
    ("тай", "тей", VOICELESS),
    ("ша", "ше", ANY),
)

#: "The one of ..." (-нікі).
POSSESSIVE_PRONOMINAL = (
    ("нікі", "нікі", VOWEL + NASAL),
    ("дікі", "дікі", LIQUID + VOICED),
    ("тікі", "тікі", VOICELESS),
)

# --- verbs ------------------------------------------------------------------------------

#: Passive / reflexive voice (UD lemmas drop it: алынады -> ал, айқындалады -> айқында).
PASSIVE = (
    ("ыл", "іл", "бвгджзкқмнңпрстфхцчшщйғ"),
    ("л", "л", VOWEL),
    ("ын", "ін", "л"),
    ("н", "н", VOWEL),
)

NEGATION = (
    ("ма", "ме", VOWEL + LIQUID + "лң"),
    ("ба", "бе", "мнзж"),
    ("па", "пе", VOICELESS),
)

#: Past tense -ды (followed by the short person endings: -м -ң -қ -ңыз -ңдар).
PAST = (
    ("ды", "ді", NOT_VOICELESS),
    ("ты", "ті", VOICELESS),
)

#: Present/future -а/-е/-й: never the last suffix (then it is a converb or a noun's -а).
PRESENT = (
    ("а", "е", CONSONANT),
    ("й", "й", VOWEL),
)

#: 3rd person of the present tense (бар-а-ды, жаса-й-ды).
PRESENT_3 = (
    ("ды", "ді", "аей"),
)

#: Perfect participle -ған (takes the noun chain).
PARTICIPLE_PAST = (
    ("ған", "ген", NOT_VOICELESS),
    ("қан", "кен", VOICELESS),
)

#: Habitual participle -атын (takes the noun chain).
PARTICIPLE_HABITUAL = (
    ("атын", "етін", CONSONANT),
    ("йтын", "йтін", VOWEL),
)

#: Future/aorist participle -ар/-ер/-р.
AORIST = (
    ("ар", "ер", CONSONANT),
    ("р", "р", VOWEL),
)

#: Negative aorist -с after negation (бар-ма-с).
AORIST_NEGATIVE = (
    ("с", "с", "ае"),
)

#: Intention -мақ.
INTENTION = (
    ("мақ", "мек", VOWEL + NASAL + LIQUID + "л"),
    ("бақ", "бек", "зж"),
    ("пақ", "пек", VOICELESS),
)

#: Verbal noun -у (takes the noun chain: бару-ға, өткізу-ге).
VERBAL_NOUN = (
    ("у", "у", ANY),
)

#: Converb -ып/-іп/-п, and its perfect -ыпты.
CONVERB = (
    ("ып", "іп", CONSONANT),
    ("п", "п", VOWEL),
)
#: Converb "since" -ғалы/-гелі (болғалы "since it has been").
CONVERB_SINCE = (
    ("ғалы", "гелі", NOT_VOICELESS),
    ("қалы", "келі", VOICELESS),
)

CONVERB_PERFECT = (
    ("ты", "ті", "п"),
)

#: Conditional -са/-се.
CONDITIONAL = (
    ("са", "се", ANY),
)

#: Desiderative -ғы (followed by a possessive: бар-ғы-сы келеді).
DESIDERATIVE = (
    ("ғы", "гі", NOT_VOICELESS),
    ("қы", "кі", VOICELESS),
)

#: Imperative/optative forms (final).
IMPERATIVE = (
    ("сын", "сін", ANY),
    ("айын", "ейін", CONSONANT),
    ("йын", "йін", VOWEL),
    ("айық", "ейік", CONSONANT),
    ("йық", "йік", VOWEL),
    ("ыңыз", "іңіз", CONSONANT),
    ("ңыз", "ңіз", VOWEL),
    ("ыңдар", "іңдер", CONSONANT),
    ("ңдар", "ңдер", VOWEL),
    ("ыңыздар", "іңіздер", CONSONANT),
    ("ңыздар", "ңіздер", VOWEL),
)

#: Nominalizer -дық after a participle (барған-дық-тан, келетін-дік-тері).
PARTICIPLE_NOMINAL = (
    ("дық", "дік", "н"),
    ("тық", "тік", "с"),
)

#: Person endings after the past tense and the conditional (барды-м, барса-қ).
PERSON_SHORT = (
    ("м", "м", VOWEL),
    ("ң", "ң", VOWEL),
    ("қ", "к", VOWEL),
    ("ңыз", "ңіз", VOWEL),
    ("ңдар", "ңдер", VOWEL),
    ("ңыздар", "ңіздер", VOWEL),
)

#: Predicative person endings (барамын, барасың, барғанбыз, бармақпын).
PERSON_PREDICATIVE = (
    ("мын", "мін", VOWEL + LIQUID + "лң"),
    ("бын", "бін", "мнзж"),
    ("пын", "пін", VOICELESS),
    ("сың", "сің", ANY),
    ("сыз", "сіз", ANY),
    ("мыз", "міз", VOWEL + LIQUID + "лң"),
    ("быз", "біз", "мнзж"),
    ("пыз", "піз", VOICELESS),
    ("сыңдар", "сіңдер", ANY),
    ("сыздар", "сіздер", ANY),
)

# --- clitics ----------------------------------------------------------------------------

#: Question particle and "also/even" attached to an inflected word.
CLITIC = (
    ("ма", "ме", VOWEL + LIQUID + "лң"),
    ("ба", "бе", "мнзж"),
    ("па", "пе", VOICELESS),
    ("шы", "ші", ANY),
)
