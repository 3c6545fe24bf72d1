"""Latin (and other) look-alike letters that scraped text mixes into Cyrillic words.

Applied per word: a word that is mostly Cyrillic gets these mapped back
(``жəне`` with a Latin schwa becomes ``және``).  Keys are the foreign letters,
values their Cyrillic twins.  Data only.
"""

LATIN_LOOKALIKES = {
    "\u0259": "\u04d9",  # ə -> ә
    "\u018f": "\u04d8",  # Ə -> Ә
    "\u0275": "\u04e9",  # ɵ -> ө
    "\u019f": "\u04e8",  # Ɵ -> Ө
    "i": "\u0456",  # i -> і
    "I": "\u0406",  # I -> І
    "h": "\u04bb",  # h -> һ
    "a": "\u0430",
    "e": "\u0435",
    "o": "\u043e",
    "p": "\u0440",
    "c": "\u0441",
    "x": "\u0445",
    "y": "\u0443",
    "k": "\u043a",
    "A": "\u0410",
    "B": "\u0412",
    "E": "\u0415",
    "K": "\u041a",
    "M": "\u041c",
    "H": "\u041d",
    "O": "\u041e",
    "P": "\u0420",
    "C": "\u0421",
    "T": "\u0422",
    "X": "\u0425",
    "Y": "\u0423",
}

#: Non-Latin strays: Ukrainian ґ is sometimes typed for ғ.
OTHER_LOOKALIKES = {
    "\u0491": "\u0493",  # ґ -> ғ
    "\u0490": "\u0492",  # Ґ -> Ғ
}
