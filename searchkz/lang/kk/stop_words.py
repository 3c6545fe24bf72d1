"""Kazakh stop words (data only).

Two lists with different jobs:

* ``STOP_WORDS`` are removed at index *and* query time: pure function words
  (conjunctions, postpositions, particles, pronoun-like demonstratives) that
  carry no topic.
* ``QUESTION_WORDS`` are removed from free-text queries only: people type exam-
  style questions ("Энергетикалық алмасу дегеніміз не?") and the question words
  must not drive the ranking, but documents keep them (they are content there:
  "қанша" in a headline is a word a user may search for with an operator).
"""

STOP_WORDS = frozenset(
    """
    және мен бен пен да де та те ал бірақ немесе әрі яғни себебі өйткені сондықтан
    үшін туралы жөнінде сияқты секілді арқылы бойынша дейін шейін кейін соң бері
    қарай сайын гөрі ғой ғана қана тек әлі енді де-ақ ма ме ба бе па пе
    бұл осы сол ол мына осынау бұның осының соның оның мұның бұған осыған
    соған оған бұдан осыдан содан одан мұнда осында сонда онда бұны осыны соны оны
    мен сен біз сіз олар оларды олардың бұлар мынау
    еді екен емес әр бір барлық бәрі кез-келген кейбір
    """.split()
)

QUESTION_WORDS = frozenset(
    """
    не неге немен нені ненің неден неше нешінші қандай қандайы қай қайсы қайсысы
    қанша қаншама қаншалықты кім кімнің кімге кімді кімнен кіммен қашан қайда
    қайдан қайдағы қалай қалайша неліктен несі нешеу дегеніміз дегеніміз деген
    дегенді дегеннің деп аталады атайды атаған
    """.split()
)
