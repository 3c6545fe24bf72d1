"""Folding of Kazakh-specific letters to their Russian-layout look-alikes (data only).

People typing on a Russian keyboard write ә as а, қ as к, і as и ... Folding is
lossy (от/өт, ән/аң collide), so folded matches must rank below exact ones.
"""

#: Kazakh letter -> the letter typed instead of it without a Kazakh layout.
FOLD = {
    "ә": "а",
    "ғ": "г",
    "қ": "к",
    "ң": "н",
    "ө": "о",
    "ұ": "у",
    "ү": "у",
    "һ": "х",
    "і": "и",
}
