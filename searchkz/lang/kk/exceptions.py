"""Stemmer exceptions (data only).

* ``IRREGULAR`` -- inflected forms whose stem the suffix rules cannot reach:
  the personal and demonstrative pronouns (ол -> оның, оған; мен -> маған ...)
  and the contracted бол- (бо-).
* ``PROTECTED`` -- words that end in suffix-like letters but are stems themselves
  (мама/маман, қала, адам, ана ...): the stemmer never strips below them.
* ``VOWEL_DROP`` -- stems that lose their last vowel before a vowel-initial
  suffix (халық -> халқы): the clipped form -> the full stem.
"""

IRREGULAR = {
    # ол (he/she/it, that)
    "оның": "ол", "оны": "ол", "оған": "ол", "одан": "ол", "онда": "ол",
    "онымен": "ол", "ондағы": "ол",
    # мен (I)
    "менің": "мен", "маған": "мен", "мені": "мен", "менде": "мен", "менен": "мен",
    "менімен": "мен",
    # сен (you)
    "сенің": "сен", "саған": "сен", "сені": "сен", "сенде": "сен", "сенен": "сен",
    # бұл (this)
    "бұның": "бұл", "мұның": "бұл", "бұған": "бұл", "мұған": "бұл", "бұдан": "бұл",
    "мұнан": "бұл", "бұны": "бұл", "мұны": "бұл", "мұнда": "бұл", "бұнда": "бұл",
    "мұндағы": "бұл", "бұндағы": "бұл",
    # сол / осы (that / this)
    "соның": "сол", "соған": "сол", "содан": "сол", "соны": "сол", "сонда": "сол",
    "сондағы": "сол", "сонымен": "сол",
    "осының": "осы", "осыған": "осы", "осыдан": "осы", "осыны": "осы",
    "осында": "осы", "осындағы": "осы", "осымен": "осы",
    # біз / сіз
    "біздің": "біз", "бізге": "біз", "бізді": "біз", "бізде": "біз", "бізден": "біз",
    "бізбен": "біз", "сіздің": "сіз", "сізге": "сіз", "сізді": "сіз", "сізде": "сіз",
    "сізден": "сіз", "сізбен": "сіз",
    # бол- contracted to бо- in speech-like text
    "боп": "бол", "бопты": "бол",
}


def _pronoun_paradigm() -> dict:
    """The demonstrative pronouns' plural, manner (-лай) and degree (-нша) forms with their case
    endings: бұлардың, солармен -> бұл, сол; былай, сонша -> бұл, сол (as UD Kazakh-KTB
    lemmatizes them).  Generated from the paradigm, not listed.  Not here: the personal
    олар "they" (its own lemma) and the adjectives in -ндай (сондай "such")."""
    after_consonant = ("дың", "ға", "ды", "да", "дан", "мен")  # after р and й
    after_vowel = ("ның", "ға", "ны", "да", "дан", "мен")
    out = {}
    for lemma, plural, manner, oblique in (("бұл", "бұлар", "былай", "мұн"), ("сол", "солар", "солай", "сон"),
                                            ("ол", None, "олай", "он"), ("осы", "осылар", "осылай", "осын")):
        out[manner] = lemma
        for stem_, ends in ((plural, after_consonant + ("дағы",)), (oblique + "ша", after_vowel)):
            if stem_ is None:
                continue
            out[stem_] = lemma
            for e in ends:
                out[stem_ + e] = lemma
    return out


def _auxiliary_paradigm() -> dict:
    """Closed-class verbs the suffix grammar does not reach, generated from their paradigms:

    * the posture verbs of the present continuous take person endings on the bare root
      (тұрмын, жүрміз, отырсыңдар); not жатыр "is (doing)", the news' commonest auxiliary: as
      жат- it made жатады "belongs to" a common word (KazQAD, measured);
    * the defective copula е- "to be": еді, екен, емес with their person and case endings.
    """
    back = ("", "мын", "сың", "сыңдар", "сыз", "сыздар", "мыз", "ғой")
    front = ("", "мін", "сің", "сіңдер", "сіз", "сіздер", "міз", "ғой")
    out = {}
    for form, lemma, ends in (("тұр", "тұр", back), ("отыр", "отыр", back), ("жүр", "жүр", front)):
        for e in ends:
            out[form + e] = lemma
    for e in ("", "м", "ң", "ңіз", "к", "ңдер", "ңіздер"):
        out["еді" + e] = "е"
    for e in ("", "мін", "сің", "сіз", "міз", "і", "ін", "іне", "інде", "імен", "ін", "дік", "дігі", "дігін", "дігіне"):
        out["екен" + e] = "е"
    for e in ("", "пін", "сің", "сіз", "піз", "і", "ін", "іне", "пе"):
        out["емес" + e] = "е"
    return out


IRREGULAR.update({k: v for k, v in _pronoun_paradigm().items() if k not in IRREGULAR})
IRREGULAR.update({k: v for k, v in _auxiliary_paradigm().items() if k not in IRREGULAR})

PROTECTED = frozenset(
    """
    мама маман қала ана ата бала дала сана адам ағаш қазан заман
    апа аға әке іні сіңлі қыз ұл әйел ер ел жер су от өт ән аң ай күн түн таң
    тамақ ақша сана сала жаза жаса ара орта ата қара сары ала дана
    тана хан жан нан шаң мал бас тас қас жас ас
    әлем әкім адал
    """.split()
)

VOWEL_DROP = {
    "халқ": "халық",
    "орн": "орын",
    "ауз": "ауыз",
    "мұрн": "мұрын",
    "ерн": "ерін",
    "қарн": "қарын",
    "мойн": "мойын",
    "қойн": "қойын",
    "ерк": "ерік",
    "бөрк": "бөрік",
    "әрп": "әріп",
    "нарқ": "нарық",
    "парқ": "парық",
    "ырқ": "ырық",
    "қалп": "қалып",
    "құлп": "құлып",
    "ғұрп": "ғұрып",
    "көңл": "көңіл",
    "даус": "дауыс",
    "көрк": "көрік",
}
