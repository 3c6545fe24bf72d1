"""The Kazakh Cyrillic alphabet and its vowel classes (data only)."""

#: The nine letters Kazakh Cyrillic adds to the Russian alphabet.
KAZAKH_SPECIFIC = frozenset("әғқңөұүһі")

#: All 42 letters of Kazakh Cyrillic (lowercase).
LETTERS = frozenset("абвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюяә")

#: Russian letters rarely used in native Kazakh words (they mark loans and Russian text).
RUSSIAN_ONLY = frozenset("ёфхцчщъьэ")

#: Back (hard) vowels: suffixes take their back variant (-лар, -дың, -ға).
BACK_VOWELS = frozenset("аоұыя")

#: Front (soft) vowels: suffixes take their front variant (-лер, -дің, -ге).
FRONT_VOWELS = frozenset("әеөүіэ")

#: Letters that are a vowel or a glide depending on position.
VOWEL_OR_GLIDE = frozenset("иую")

#: Every letter that counts as a vowel for "the stem must keep a vowel".
VOWELS = BACK_VOWELS | FRONT_VOWELS | VOWEL_OR_GLIDE | frozenset("ё")

#: Voiceless consonants (they select -тар/-тың/-қа allomorphs).
VOICELESS = frozenset("пфкқтсшщхцчһ")

#: Voiced consonants and sonorants.
SONORANTS = frozenset("мнң")
