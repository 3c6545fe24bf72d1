"""The outlet an article comes from (the ``source`` field): who published it.

In order: a JSONL article's ``source`` key, the host of its ``url``; a ``.txt``
article's first folder under the corpus; a byline in the first lines of the text
that names an outlet (``Нұр-Сұлтан, BAQ.KZ тілшісі.`` → ``baq.kz``).  Names that
look like a web domain are lower-cased (``BAQ.KZ``, ``www.baq.kz`` and ``baq.kz``
are one outlet); other names are kept as written.  Empty when nothing names one.

>>> outlet_of("news/a.txt", {}, "")
'news'
>>> outlet_of("a.jsonl", {"url": "https://www.Egemen.kz/article/1"}, "")
'egemen.kz'
>>> outlet_of("a.txt", {}, "Нұр-Сұлтан, BAQ.KZ тілшісі. Елордада диалог алаңы өтті.")
'baq.kz'
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: ``<Name> тілшісі`` (the outlet's correspondent): a capitalized name or a domain right
#: before the word, within the first characters of the text (:func:`_outlet_like` then
#: keeps names that look like an outlet's, not "Біздің тілшісі", "our correspondent").
_BYLINE_RE = re.compile(
    r"(?<![\w.-])((?:[A-ZА-ЯӘҒҚҢӨҰҮҺІЁ][\w-]*|[\w-]+\.(?:kz|com|ru|org|net|info))(?:\.[A-Za-z]{2,4})?)"
    r"\s+(?:тілшісі|тілшілері|хабарлайды)\b"
)
BYLINE_CHARS = 400
_DOMAIN_RE = re.compile(r"^(?:www\.)?([\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,})$", re.IGNORECASE)  # (WWW.Baq.kz too)


def normalize(name: str) -> str:
    """An outlet name as stored: trimmed; a domain lower-cased without ``www.``."""
    name = " ".join(str(name).split())
    m = _DOMAIN_RE.match(name)
    return m.group(1).lower() if m else name


def outlet_of(relpath: str, metadata: dict, body: str) -> str:
    """The outlet of one article (see the module docstring); ``relpath``: its file under the corpus."""
    src = metadata.get("source") if metadata else None
    if isinstance(src, str) and src.strip():
        return normalize(src)
    url = metadata.get("url") if metadata else None
    if isinstance(url, str) and url.strip():
        try:
            host = urlsplit(url.strip() if "//" in url else "//" + url.strip()).hostname
        except ValueError:
            host = None
        if host and "." in host:
            return normalize(host)
    if not relpath.lower().endswith(".jsonl") and "/" in relpath:
        return normalize(relpath.split("/", 1)[0])
    for m in _BYLINE_RE.finditer(body[:BYLINE_CHARS]):
        if _outlet_like(m.group(1)):
            return normalize(m.group(1))
    return ""


def _outlet_like(name: str) -> bool:
    """A domain, a Latin-script name (Kazinform) or a Cyrillic one with two capitals
    (ҚазАқпарат, ЕҚ), not a capitalized word that starts a sentence."""
    if "." in name or re.search(r"[A-Za-z]", name):
        return True
    return sum(ch.isupper() for ch in name) >= 2
