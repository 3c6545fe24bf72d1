"""Tests for searchkz.corpus: the seed articles, dates, bad input, encodings."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from searchkz import corpus as corpus_mod
from searchkz.corpus import (
    MAX_TXT_BYTES,
    Article,
    CorpusError,
    Problem,
    decode_bytes,
    list_sources,
    parse_date,
    parse_txt,
    read_corpus,
    read_source,
)

# ---------------------------------------------------------------------------
# helpers


def read_all(corpus) -> tuple[dict[str, Article], list[Problem]]:
    arts: dict[str, Article] = {}
    probs: list[Problem] = []
    for item in read_corpus(corpus):
        if isinstance(item, Article):
            assert item.id not in arts
            arts[item.id] = item
        else:
            probs.append(item)
    return arts, probs


def body_lines(art: Article) -> list[str]:
    return [line.strip() for line in art.body.splitlines()]


KK_TEXT = (
    "Шымкент қаласында үкіметтік емес ұйымдардың жетекшілері бас қосты\n\n"
    "Әкімдік өкілдері, ғалымдар мен жастар қоғамдық өмірге белсенді қатысу "
    "жөнінде ұсыныстар айтты. Өңірдегі һәм елордадағы ұйымдар ынтымақтасады.\n"
)
RU_TEXT = (
    "Заседание общественного совета прошло в Астане.\n\n"
    "Участники обсудили вопросы развития гражданского общества, "
    "экологии и образования. Решения будут направлены в министерство.\n"
)


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def jsonl(*objs) -> str:
    return "".join((o if isinstance(o, str) else json.dumps(o, ensure_ascii=False)) + "\n" for o in objs)


# ---------------------------------------------------------------------------
# the five seed articles

SEEDS = {
    "000_673e680e95f3e0a9.txt": dict(
        title="Билік өкілдері мен мемлекеттік емес ұйымдардың басын қосқан диалог алаңы өтті",
        date=datetime(2019, 10, 10, 20, 47),
        first="Нұр-Сұлтан, BAQ.KZ тілшісі. Елордада ҚР Ақпарат және қоғамдық даму министрлігінің",
        last="Оның үстіне, күдікпен немесе аса сенімсіздікпен қарайды\", - деген ойын ашық жеткізді.",
        gone=["2238", "Бөлісу:", "Өзгелердің жаңалығы", "10 Қазан 2019, 20:47"],
    ),
    "001_07369e8b3fe96b32.txt": dict(
        title="ҚХА азаматтық қоғам мен жергілікті өзін-өзі басқару органдары арасындағы алтын көпірге айналды",
        date=datetime(2019, 11, 27, 10, 3),
        first="Елордалық Достық үйінде «Азаматтық диалогты ілгерілету және жергілікті өзін-өзі басқарудың",
        # last paragraph, then the author's byline (kept: two words are not debris)
        last="мәселелерінің проблемалары мен даму әлеуеті туралы ой бөлісті.\n\nНұргүл Қалиева",
        gone=["Бөлісу:", "27 Қараша 2019, 10:03 3457", "3457"],
    ),
    "002_ad8a2653cb24e9f8.txt": dict(
        title="АЗАМАТТЫҚ СЕКТОРДЫ ДАМЫТУ ТЕТІКТЕРІ ҚАРАСТЫРЫЛДЫ",
        date=datetime(2018, 10, 16, 0, 44),
        first="Бүгін Тараз қаласындағы Азаматтық орталықта үкіметтік емес ұйымдардың",
        last="оның ішінде ҮЕҰ өкілдерінің қатысуымен азаматтық сектордың дамуының өзекті үдерістерін талқылады.",
        gone=["Құқық", "16.10.2018, 00:44", "Сұхбат", "PhotoRoom"],
    ),
    "003_ef5e74323f016fa6.txt": dict(
        title=("Ақпарат және қоғамдық даму министрі Аида Балаева облыстардың, Нұр-Сұлтан, Алматы және "
               "Шымкент қалаларының қоғамдық кеңестерінің (ҚК) төрағаларымен онлайн-кездесу өткізді."),
        date=None,
        # no separate headline: the first line is the lead sentence, kept in the body
        first="Ақпарат және қоғамдық даму министрі Аида Балаева облыстардың",
        last="Қоғамдық кеңестердің жұмысына 3500-ден астам адам қатысады.",
        gone=["Толағайлар Ташкентте сайысқа түсті", "Спорт • Бүгін, 20:23", "Ұқсас жаңалықтар",
              "«Ертіс орманы» резерватында өрт шықты", "Аймақтар • Бүгін, 21:30", "Теннис • Бүгін, 20:12",
              "«Бір терезе» ме, әлде, «Жүз терезе» ме?..", "Аймақтар • 16 Сәуір, 2021",
              "Шу ауданында голландиялық картоп өсіріледі"],
    ),
    "004_46335ba148919712.txt": dict(
        title="ҮКІМЕТТІК ЕМЕС ҰЙЫМ ЖЕТЕКШІЛЕРІ БАС ҚОСТЫ",
        date=None,
        first="Шымкент қаласында үкіметтік емес ұйымдардың жетекшілері мен өкілдері бас қосқан",
        last="Шымкент қаласы мәслихатының депутаттары мен ірі бизнес құрылымдардың өкілдері қатысады.",
        gone=["68", "0"],
    ),
}


@pytest.fixture(scope="module")
def seeds() -> tuple[dict[str, Article], list[Problem]]:
    return read_all(Path(__file__).resolve().parent.parent / "corpus")


def test_seed_corpus_reads_all_five_without_problems(seeds):
    arts, probs = seeds
    assert sorted(arts) == sorted(SEEDS)
    assert probs == []


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_title_date_body(seeds, name):
    art = seeds[0][name]
    want = SEEDS[name]
    assert art.id == name and art.source == name and art.metadata == {}
    assert art.title == want["title"]
    assert art.date == want["date"]
    assert art.body.startswith(want["first"])
    assert art.body.endswith(want["last"])
    lines = body_lines(art)
    for junk in want["gone"]:
        assert junk not in lines, junk
    assert "•" not in art.body
    assert "\xa0" not in art.body and "\r" not in art.body
    assert "\n\n\n" not in art.body


def test_seed_repeated_title_is_removed(seeds):
    art = seeds[0]["000_673e680e95f3e0a9.txt"]
    assert art.title not in art.body


def test_seed_003_sidebar_fully_removed(seeds):
    art = seeds[0]["003_ef5e74323f016fa6.txt"]
    for word in ("Толағайлар", "Бүгін, 21:30", "Кеше", "Сәуір", "Ұқсас жаңалықтар", "Хоккейшілеріміз"):
        assert word not in art.body
    # all 16 article lines are there (the title-as-lead + 15 paragraphs)
    assert len([x for x in body_lines(art) if x]) == 16
    assert "Кездесу барысында қоғамдық кеңестерге қатысты" in art.body


def test_seed_001_byline_is_kept(seeds):
    # a two-word author line is real content; only one-word debris is dropped
    assert body_lines(seeds[0]["001_07369e8b3fe96b32.txt"])[-1] == "Нұргүл Қалиева"


def test_seed_middle_paragraphs_survive(seeds):
    arts = seeds[0]
    assert "Айта кетейік, министрлік меморгандардың" in arts["000_673e680e95f3e0a9.txt"].body
    assert "Іс-шарада Мемлекеттік орган, ҮЕҰ жəне бизнес құрылымы" in arts["002_ad8a2653cb24e9f8.txt"].body


def test_content_hash_stable_and_sensitive(seeds):
    art = seeds[0]["000_673e680e95f3e0a9.txt"]
    again = read_all(Path(__file__).resolve().parent.parent / "corpus")[0]["000_673e680e95f3e0a9.txt"]
    assert art.content_hash == again.content_hash
    assert len(art.content_hash) == 40
    changed = Article(art.id, art.title, art.date, art.body + "!", art.source, {})
    assert changed.content_hash != art.content_hash
    other_meta = Article(art.id, art.title, art.date, art.body, art.source, {"k": 1})
    assert other_meta.content_hash != art.content_hash
    hash(art)  # usable in sets despite the dict field


def test_tmp_corpus_fixture_is_a_copy(tmp_corpus):
    arts, probs = read_all(tmp_corpus)
    assert sorted(arts) == sorted(SEEDS) and probs == []


# ---------------------------------------------------------------------------
# dates

MONTH_CASES = [
    ("қаңтар", 1), ("ақпан", 2), ("наурыз", 3), ("сәуір", 4), ("мамыр", 5), ("маусым", 6),
    ("шілде", 7), ("тамыз", 8), ("қыркүйек", 9), ("қазан", 10), ("қараша", 11), ("желтоқсан", 12),
]
POSSESSIVE = ["қаңтары", "ақпаны", "наурызы", "сәуірі", "мамыры", "маусымы", "шілдесі",
              "тамызы", "қыркүйегі", "қазаны", "қарашасы", "желтоқсаны"]

DATE_CASES = (
    [(f"10 {m} 2019", datetime(2019, n, 10)) for m, n in MONTH_CASES]
    + [(f"5 {m.capitalize()} 2020, 08:15", datetime(2020, n, 5, 8, 15)) for m, n in MONTH_CASES]
    + [(f"7 {m.upper()} 2021", datetime(2021, n, 7)) for m, n in MONTH_CASES]
    + [(f"3 {p} 2018", datetime(2018, i + 1, 3)) for i, p in enumerate(POSSESSIVE)]
    + [
        ("10 Қазан 2019, 20:47", datetime(2019, 10, 10, 20, 47)),
        ("27 Қараша 2019, 10:03 3457", datetime(2019, 11, 27, 10, 3)),
        ("16.10.2018, 00:44", datetime(2018, 10, 16, 0, 44)),
        ("10.10.2019", datetime(2019, 10, 10)),
        ("16 Сәуір, 2021", datetime(2021, 4, 16)),
        ("16 сəуір 2021", datetime(2021, 4, 16)),  # Latin schwa look-alike
        ("2019-10-10", datetime(2019, 10, 10)),
        ("2019-10-10T20:47:00", datetime(2019, 10, 10, 20, 47)),
        ("2019-10-10 20:47", datetime(2019, 10, 10, 20, 47)),
        ("2019-10-10T20:47:00+06:00", datetime(2019, 10, 10, 20, 47)),
        ("2019-10-10T14:47:00Z", datetime(2019, 10, 10, 14, 47)),
        ("2019 жылғы 10 қазан", datetime(2019, 10, 10)),
        ("10 қазан 2019 ж.", datetime(2019, 10, 10)),
        ("  10 қазан 2019  ", datetime(2019, 10, 10)),
        ("10 октября 2019, 12:00", datetime(2019, 10, 10, 12, 0)),
        ("29 ақпан 2020", datetime(2020, 2, 29)),
    ]
)


@pytest.mark.parametrize("text,expected", DATE_CASES, ids=[c[0] for c in DATE_CASES])
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [
    "", "   ", "Кеше", "Бүгін, 21:30", "hello", "2019-13-01", "31 ақпан 2019", "29 ақпан 2019",
    "10 қазанда 2019", "10 Қазан", "32.10.2019", "10 Қазан 2019, 20:47 оқылды", "0001-01-01",
    "Нұр-Сұлтан, BAQ.KZ тілшісі. Елордада ҚР Ақпарат", None, 20191010,
])
def test_parse_date_rejects(text):
    assert parse_date(text) is None


# ---------------------------------------------------------------------------
# parse_txt rules on small texts


def test_parse_txt_header_rules():
    text = ("Тақырып мұнда\n\nСаясат\n10 Қазан 2019, 20:47\n2238\n15\nБөлісу:\nТақырып мұнда\n\n"
            "Бірінші абзац осында.\n\nСоңғы абзац осында.\n\nҰқсас жаңалықтар\n")
    art, probs = parse_txt(text, "a.txt")
    assert probs == []
    assert art.title == "Тақырып мұнда"
    assert art.date == datetime(2019, 10, 10, 20, 47)
    assert art.body == "Бірінші абзац осында.\n\nСоңғы абзац осында."


def test_parse_txt_keeps_real_short_first_line_not_before_date():
    # a short line that is NOT followed by a date is real text, not a rubric
    art, _ = parse_txt("Тақырып\n\nАлматы\nҚала тұрғындары жиналды.\n", "a.txt")
    assert art.body == "Алматы\nҚала тұрғындары жиналды."


def test_parse_txt_keeps_numbers_inside_text():
    art, _ = parse_txt("Тақырып\n\nАбзац бірінші.\n2019\nАбзац екінші.\n", "a.txt")
    assert "2019" in body_lines(art)


def test_parse_txt_unparsable_date_is_a_warning():
    art, probs = parse_txt("Тақырып\n\n32 Қазан 2019, 20:47\n\nМәтін осында.\n", "x/a.txt")
    assert art.date is None and art.body == "Мәтін осында."
    assert len(probs) == 1 and not probs[0].fatal and "date" in probs[0].reason
    assert probs[0].source == "x/a.txt"


def test_parse_txt_title_only_and_empty():
    art, probs = parse_txt("Тек тақырып\n", "a.txt")
    assert art.title == "Тек тақырып" and art.body == ""
    assert [p.fatal for p in probs] == [False]
    _, probs = parse_txt(" \n\xa0\n", "b.txt")
    assert [p.fatal for p in probs] == [True]


def test_parse_txt_crlf_and_bom():
    art, _ = parse_txt("\ufeffТақырып\r\n\r\n10.10.2019\r\nМәтін.\r\n", "a.txt")
    assert art.title == "Тақырып" and art.body == "Мәтін." and art.date == datetime(2019, 10, 10)


def test_parse_txt_sidebar_entry_without_headline_does_not_eat_paragraph():
    text = "Тақырып\n\nБірінші абзац.\nСоңғы абзац аяқталды.\nСпорт • Бүгін, 20:23\nӘлем • Кеше\n"
    art, _ = parse_txt(text, "a.txt")
    assert art.body == "Бірінші абзац.\nСоңғы абзац аяқталды."


@given(st.text(max_size=300))
@settings(max_examples=200, deadline=None)
def test_parse_txt_never_raises(text):
    art, probs = parse_txt(text, "h.txt")
    assert isinstance(art, Article)
    assert all(isinstance(p, Problem) for p in probs)


# ---------------------------------------------------------------------------
# listing


def test_missing_corpus_raises(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        list_sources(tmp_path / "nope")
    with pytest.raises(CorpusError):
        list(read_corpus(tmp_path / "nope"))


def test_corpus_of_wrong_file_type_raises(tmp_path):
    with pytest.raises(CorpusError):
        list_sources(write(tmp_path / "notes.md", "x"))


def test_ignored_files_hidden_and_deep_folders(tmp_path):
    write(tmp_path / "README.md", "# readme")
    write(tmp_path / "img.png", b"\x89PNG\r\n\x1a\n\x00\x00")
    write(tmp_path / ".hidden.txt", "Жасырын\n\nМәтін.")
    write(tmp_path / ".git" / "x.txt", "Жасырын\n\nМәтін.")
    write(tmp_path / "a" / "b" / "c" / "d" / "e" / "deep.TXT", "Терең\n\nМәтін.")
    write(tmp_path / "top.txt", "Жоғарғы\n\nМәтін.")
    srcs, probs = list_sources(tmp_path)
    assert [s.relpath for s in srcs] == ["a/b/c/d/e/deep.TXT", "top.txt"]
    assert probs == []
    assert all(s.size > 0 and s.mtime_ns > 0 for s in srcs)
    arts, probs = read_all(tmp_path)
    assert set(arts) == {"a/b/c/d/e/deep.TXT", "top.txt"} and probs == []


def test_single_file_corpus(tmp_path):
    p = write(tmp_path / "one.txt", "Бір\n\nМәтін.")
    arts, probs = read_all(p)
    assert list(arts) == ["one.txt"] and probs == []
    j = write(tmp_path / "many.jsonl", jsonl({"id": "a", "title": "A", "text": "Мәтін."},
                                              {"id": "b", "title": "B", "text": "Мәтін."}))
    arts, probs = read_all(j)
    assert list(arts) == ["a", "b"] and probs == []
    assert arts["a"].source == "many.jsonl"


def test_broken_symlink(tmp_path):
    write(tmp_path / "good.txt", "Жақсы\n\nМәтін.")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "missing.txt")
    arts, probs = read_all(tmp_path)
    assert list(arts) == ["good.txt"]
    assert [(p.source, p.fatal) for p in probs] == [("broken.txt", True)]
    assert "symlink" in probs[0].reason


def test_broken_symlink_without_a_text_suffix_is_reported(tmp_path):
    """A link to a folder has no .txt suffix: when its folder is gone (an unmounted disk) its
    articles are missing, so the link is named like a broken .txt link.  Files and working links
    with other suffixes are still passed over without a word, hidden entries too."""
    write(tmp_path / "2019" / "a.txt", "Жақсы\n\nМәтін.")
    write(tmp_path / "notes.md", "Ескертпе")
    (tmp_path / "2020").symlink_to(tmp_path.parent / "unmounted" / "2020")
    (tmp_path / "latest").symlink_to(tmp_path / "notes.md")
    (tmp_path / ".cache").symlink_to(tmp_path / "nowhere")
    arts, probs = read_all(tmp_path)
    assert list(arts) == ["2019/a.txt"]
    assert [(p.source, p.fatal, p.reason) for p in probs] == [("2020", True, "broken symlink")]


def test_symlink_loop_terminates(tmp_path):
    write(tmp_path / "d" / "a.txt", "А\n\nМәтін.")
    (tmp_path / "d" / "loop").symlink_to(tmp_path / "d")
    arts, _ = read_all(tmp_path)
    assert list(arts) == ["d/a.txt"]


@pytest.mark.parametrize("link", ["a-latest", "z-latest", "2019/current", "0"])
def test_a_folder_also_linked_keeps_its_own_name(tmp_path, link):
    """Whatever the link's name sorts or is listed as, the real folder names the ids; a folder
    reached only by a link is read under the link's name, once."""
    write(tmp_path / "2019" / "a.txt", "А\n\nМәтін.")
    write(tmp_path / "outside" / "b.txt", "Б\n\nМәтін.")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "2019").symlink_to(tmp_path / "2019")  # only a link into the corpus: its name
    os.rename(tmp_path / "outside", tmp_path / "corpus" / "real")
    target = tmp_path / "corpus" / link
    target.parent.mkdir(parents=True, exist_ok=True)
    target.symlink_to(tmp_path / "corpus" / "real")
    (tmp_path / "corpus" / "also").symlink_to(tmp_path / "2019")
    arts, probs = read_all(tmp_path / "corpus")
    assert sorted(arts) == ["2019/a.txt", "real/b.txt"] and probs == []


def test_fifo_is_not_read(tmp_path):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    os.mkfifo(tmp_path / "pipe.txt")
    write(tmp_path / "good.txt", "Жақсы\n\nМәтін.")
    arts, probs = read_all(tmp_path)
    assert list(arts) == ["good.txt"]
    assert [(p.source, p.fatal) for p in probs] == [("pipe.txt", True)]


def test_non_utf8_file_name(tmp_path):
    bad = os.path.join(os.fsencode(tmp_path), b"bad\xffname.txt")
    try:
        with open(bad, "wb") as f:
            f.write("Атау\n\nМәтін осында.".encode())
    except OSError:
        pytest.skip("file system refuses non-UTF-8 names")
    arts, probs = read_all(tmp_path)
    assert list(arts) == ["bad\\xffname.txt"]
    assert arts["bad\\xffname.txt"].body == "Мәтін осында."
    assert [(p.source, p.fatal) for p in probs] == [("bad\\xffname.txt", False)]
    json.dumps([a.id for a in arts.values()] + [p.source for p in probs])  # printable / encodable
    str(probs[0]).encode("utf-8")


# ---------------------------------------------------------------------------
# bad files


def test_unreadable_file_chmod(tmp_path):
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not block reading (see the monkeypatch test)")
    p = write(tmp_path / "secret.txt", "Құпия\n\nМәтін.")
    write(tmp_path / "good.txt", "Жақсы\n\nМәтін.")
    p.chmod(0)
    try:
        arts, probs = read_all(tmp_path)
    finally:
        p.chmod(0o644)
    assert list(arts) == ["good.txt"]
    assert [(x.source, x.reason, x.fatal) for x in probs] == [("secret.txt", "permission denied", True)]


def test_unreadable_file_simulated(tmp_path, monkeypatch):
    write(tmp_path / "secret.txt", "Құпия\n\nМәтін.")
    write(tmp_path / "secret.jsonl", jsonl({"id": "s", "title": "S", "text": "т"}))
    write(tmp_path / "good.txt", "Жақсы\n\nМәтін.")
    real_open = open

    def fake_open(path, *a, **kw):
        if "secret" in os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, *a, **kw)

    monkeypatch.setattr(corpus_mod, "open", fake_open, raising=False)
    arts, probs = read_all(tmp_path)
    assert list(arts) == ["good.txt"]
    assert sorted((x.source, x.reason, x.fatal) for x in probs) == [
        ("secret.jsonl", "permission denied", True), ("secret.txt", "permission denied", True)]


def test_empty_and_binary_files(tmp_path):
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "empty.jsonl", b"")
    write(tmp_path / "blank.jsonl", b"\n\n  \n")
    write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20)
    write(tmp_path / "noise.txt", bytes((i * 7919) % 256 for i in range(5000)).replace(b"\x00", b"\x01"))
    write(tmp_path / "ctrl.txt", b"\x01\x02\x03\x04\x05\x06abc" * 100)
    write(tmp_path / "bin.jsonl", b"\x00\x01\x02{}\n" * 10)
    write(tmp_path / "good.txt", "Жақсы\n\nМәтін.")
    arts, probs = read_all(tmp_path)
    assert list(arts) == ["good.txt"]
    by = {p.source: p for p in probs}
    assert sorted(by) == ["bin.jsonl", "blank.jsonl", "ctrl.txt", "empty.jsonl", "empty.txt",
                          "image.txt", "noise.txt"]
    assert len(probs) == len(by)  # each reported once
    assert all(p.fatal for p in probs)
    assert "empty" in by["empty.txt"].reason
    assert "binary" in by["image.txt"].reason


def test_invalid_utf8_bytes_are_replaced_with_warning(tmp_path):
    data = KK_TEXT.encode("utf-8").replace("белсенді".encode(), b"\xff\xfe" + "белсенді".encode())
    write(tmp_path / "a.txt", data)
    arts, probs = read_all(tmp_path)
    art = arts["a.txt"]
    assert "\ufffd\ufffdбелсенді қатысу" in art.body and art.title == KK_TEXT.partition("\n")[0]
    assert [(p.source, p.fatal) for p in probs] == [("a.txt", False)]
    assert "UTF-8" in probs[0].reason


def test_large_txt_is_truncated_with_warning(tmp_path):
    para = ("Бұл өте ұзын мақаланың бір абзацы, ол қайталана береді. " * 20 + "\n\n").encode()
    data = "Үлкен файл\n\n10 Қазан 2019\n\n".encode() + para * (50 * 2**20 // len(para) + 1)
    write(tmp_path / "big.txt", data)
    assert len(data) >= 50 * 2**20
    arts, probs = read_all(tmp_path)
    art = arts["big.txt"]
    assert art.title == "Үлкен файл" and art.date == datetime(2019, 10, 10)
    assert len(art.body.encode()) <= MAX_TXT_BYTES
    assert art.body.endswith("қайталана береді.")
    assert [(p.source, p.fatal) for p in probs] == [("big.txt", False)]
    assert "MiB" in probs[0].reason


def test_large_jsonl_streams(tmp_path):
    n = 12_000
    text = "Мақала мәтіні, қазақ тілінде жазылған ұзын абзац. " * 80
    with open(tmp_path / "big.jsonl", "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"d{i}", "title": f"Тақырып {i}", "date": "2020-01-02",
                                "text": text}, ensure_ascii=False) + "\n")
    assert (tmp_path / "big.jsonl").stat().st_size >= 50 * 2**20
    count = 0
    for item in read_corpus(tmp_path):
        assert isinstance(item, Article)
        count += 1
    assert count == n


# ---------------------------------------------------------------------------
# JSONL


def test_jsonl_lines_good_and_bad(tmp_path):
    lines = jsonl(
        {"id": "a1", "title": "Бірінші", "date": "10 Қазан 2019, 20:47", "text": "Мәтін бір.",
         "url": "https://example.kz/1", "tags": ["саясат"]},
        '{"id": "broken", "title": ',                                # malformed
        {"id": "a2", "title": "Екінші", "date": None, "text": "Мәтін екі."},
        {"title": "Идсіз", "text": "Мәтін."},                       # no id
        {"id": "a3", "title": "Үшінші", "text": "Мәтін үш."},       # no date key
        [1, 2, 3],                                                   # not an object
        {"id": "a1", "title": "Қайталану", "text": "Көшірме."},     # duplicate id
        {"id": "a4", "title": "Төртінші", "date": "ертең", "text": "Мәтін төрт."},  # bad date
        {"id": "a5", "title": "Бесінші", "date": "2021-04-16T10:00:00", "text": "Мәтін бес."},
        {"id": 6, "title": "Алтыншы", "date": 12345, "text": "Мәтін алты."},
        {"id": "", "title": "Бос id", "text": "Мәтін."},
        {"id": "a7", "text": 5},
        {"id": "a8"},
    )
    write(tmp_path / "sub" / "news.jsonl", lines)
    arts, probs = read_all(tmp_path)
    assert sorted(arts) == ["6", "a1", "a2", "a3", "a4", "a5"]
    a1 = arts["a1"]
    assert a1.title == "Бірінші" and a1.body == "Мәтін бір." and a1.source == "sub/news.jsonl"
    assert a1.date == datetime(2019, 10, 10, 20, 47)
    assert a1.metadata == {"url": "https://example.kz/1", "tags": ["саясат"]}
    assert arts["a2"].date is None and arts["a3"].date is None and arts["a4"].date is None
    assert arts["a5"].date == datetime(2021, 4, 16, 10, 0)
    assert arts["6"].date is None
    got = [(p.source, p.fatal) for p in probs]
    assert got == [
        ("sub/news.jsonl:2", True), ("sub/news.jsonl:4", True), ("sub/news.jsonl:6", True),
        ("sub/news.jsonl:7", True), ("sub/news.jsonl:8", False), ("sub/news.jsonl:10", False),
        ("sub/news.jsonl:11", True), ("sub/news.jsonl:12", True), ("sub/news.jsonl:13", True),
    ]
    assert "duplicate" in probs[3].reason and "line 1" in probs[3].reason
    assert all("\n" not in p.reason for p in probs)


def test_jsonl_text_is_cleaned_and_date_falls_back_to_header(tmp_path):
    text = "Тақырып\n10 Қазан 2019, 20:47\n2238\nБөлісу:\nМәтін осында.\n\nҰқсас жаңалықтар\nСпорт • Кеше"
    write(tmp_path / "a.jsonl", jsonl({"id": "x", "title": "Тақырып", "text": text}))
    arts, probs = read_all(tmp_path)
    assert arts["x"].body == "Мәтін осында." and arts["x"].date == datetime(2019, 10, 10, 20, 47)
    assert probs == []


@pytest.mark.parametrize("title, text, body", [
    ("Наурыз мерекесі", "Наурыз мерекесі", "Наурыз мерекесі"),  # a text that repeats its title
    ("Сұхбат", "Сұхбат\n\nСұхбат", "Сұхбат\n\nСұхбат"),
    ("Тақырып", "Түйін", "Түйін"),  # one word: no tail debris without a paragraph before it
    ("Тақырып", "Бөлісу:\n12.03.2019, 10:44\n2238\nСұхбат", "Сұхбат"),  # a label, a date, a counter: still not text
    ("Тақырып", "Бөлісу:\n2238", ""),
    ("Тақырып", "Ұқсас жаңалықтар\nСаясат • Бүгін, 21:30", ""),
    ("Тақырып", "Мәтін осында.\nPhotoRoom", "Мәтін осында."),  # debris after a paragraph still goes
])
def test_jsonl_text_that_is_all_boilerplate_is_kept(tmp_path, title, text, body):
    """The scraping rules never empty a feed's text of its words: a lone word or the title again is
    the text; labels, dates, counters and sidebar lines still go."""
    write(tmp_path / "a.jsonl", jsonl({"id": "x", "title": title, "text": text}))
    arts, probs = read_all(tmp_path)
    assert arts["x"].body == body and probs == []


@pytest.mark.parametrize("last, kept", [
    ("«Рахмет!»", True),  # a one-word sentence: its final mark inside the quotes
    ('"Құттықтаймыз!"', True),
    ("„Рахмет!“", True),
    ("[Рахмет.]", True),
    ("Рахмет.", True),
    ("Сұхбат", False),  # a rubric tag
    ("«Сұхбат»", False),
    ("PhotoRoom", False),  # an image credit
])
def test_one_word_line_after_the_last_paragraph(tmp_path, last, kept):
    """A lone word after the last paragraph is scraping debris unless it ends a sentence."""
    para = "Әкімдік өкілдері жастармен кездесті. Жиын соңында жастар әкімге алғыс айтты:"
    write(tmp_path / "a.jsonl", jsonl({"id": "x", "title": "Кездесу", "text": f"{para}\n{last}"}))
    write(tmp_path / "b.txt", f"Кездесу\n\n{para}\n\n{last}\n")
    arts, probs = read_all(tmp_path)
    assert sorted(arts) == ["b.txt", "x"] and probs == []
    for art in arts.values():
        assert [x for x in art.body.split("\n") if x] == ([para, last] if kept else [para]), art.id


def test_jsonl_encodings(tmp_path):
    obj = {"id": "k", "title": "Қазақ", "text": KK_TEXT}
    write(tmp_path / "bom.jsonl", b"\xef\xbb\xbf" + jsonl(obj).encode())
    write(tmp_path / "u16.jsonl", jsonl({**obj, "id": "k16"}).encode("utf-16"))
    arts, probs = read_all(tmp_path)
    assert probs == []
    assert arts["k"].body == arts["k16"].body == KK_TEXT.strip()


def test_jsonl_invalid_utf8_line_kept_with_warning(tmp_path):
    good = jsonl({"id": "a", "title": "А", "text": "Мәтін."}).encode()
    bad = jsonl({"id": "b", "title": "Б", "text": "Мәтін әдемі."}).encode().replace("әдемі".encode(), b"\xff\xfe" + "әдемі".encode())
    write(tmp_path / "x.jsonl", good + bad)
    arts, probs = read_all(tmp_path)
    assert sorted(arts) == ["a", "b"] and "\ufffd" in arts["b"].body
    assert [(p.source, p.fatal) for p in probs] == [("x.jsonl:2", False)]


def test_duplicate_ids_across_files(tmp_path):
    write(tmp_path / "a.jsonl", jsonl({"id": "same", "title": "A", "text": "бірінші"}))
    write(tmp_path / "b.jsonl", jsonl({"id": "same", "title": "B", "text": "екінші"}))
    arts, probs = read_all(tmp_path)
    assert arts["same"].title == "A"
    assert [(p.source, p.fatal) for p in probs] == [("b.jsonl", True)]
    assert "a.jsonl" in probs[0].reason


def test_many_bad_lines_are_capped(tmp_path):
    write(tmp_path / "junk.jsonl", "not json\n" * 500 + jsonl({"id": "ok", "title": "T", "text": "t"}))
    arts, probs = read_all(tmp_path)
    assert list(arts) == ["ok"]
    assert len(probs) == corpus_mod.MAX_PROBLEMS_PER_FILE + 1
    assert "400 more" in probs[-1].reason and probs[-1].source == "junk.jsonl"


# ---------------------------------------------------------------------------
# encodings


@pytest.mark.parametrize("encoding,text", [
    ("utf-8", KK_TEXT), ("utf-8-sig", KK_TEXT), ("utf-16", KK_TEXT), ("utf-16-le-bom", KK_TEXT),
    ("utf-16-be-bom", KK_TEXT), ("kz1048", KK_TEXT), ("cp1251", RU_TEXT), ("kz1048", RU_TEXT),
    ("koi8-r", RU_TEXT), ("cp1251", RU_TEXT.upper()),
    ("utf-16-le", KK_TEXT), ("utf-32", KK_TEXT),
])
def test_decode_round_trip(encoding, text):
    if encoding.endswith("-bom"):
        enc = encoding[:-4]
        bom = "\ufeff".encode(enc)
        data = bom + text.encode(enc)
    else:
        data = text.encode(encoding)
    decoded, _enc, _warn = decode_bytes(data)
    assert decoded == text


def test_kz1048_is_told_from_cp1251():
    data = KK_TEXT.encode("kz1048")
    text, enc, warn = decode_bytes(data)
    assert enc == "kz1048" and text == KK_TEXT
    assert warn and "kz1048" in warn
    assert data.decode("cp1251") != KK_TEXT  # the decodings really differ


@pytest.mark.parametrize("text", [RU_TEXT, RU_TEXT.split("\n")[0], RU_TEXT.upper(),
                                  "Решения будут направлены в министерство."])
def test_koi8_is_told_from_cp1251(text):
    """Russian articles of an archive from the 1990s: KOI8-R read as cp1251 would be another
    alphabet's order (Заседание -> зАЯЕДЮМХЕ), so the code page that spells the frequent letters
    (о е а и н …) wins; capitals too."""
    decoded, enc, warn = decode_bytes(text.encode("koi8-r"))
    assert (decoded, enc) == (text, "koi8-r") and "koi8-r" in warn
    assert decode_bytes(text.encode("cp1251"))[:2] == (text, "cp1251")


@pytest.mark.parametrize("text", ["Бір бетпердеге он жеті теңге береді.", "Малмен бірдей ішеміз."])
def test_a_short_kz1048_text_is_not_taken_for_koi8(text):
    """KazNERD sentences (CC BY 4.0) whose KOI8-R reading spells as many frequent letters: its
    box-drawing signs where kz1048 has Kazakh letters decide."""
    assert decode_bytes(text.encode("kz1048"))[0] == text  # (і alone reads alike in cp1251)


def test_kz1048_short_mixed_russian_kazakh():
    text = "Президент сказал: «Қазақстан — біздің ортақ үйіміз»."
    decoded, enc, _ = decode_bytes(text.encode("kz1048"))
    assert decoded == text and enc == "kz1048"


@pytest.mark.parametrize("encoding", ["kz1048", "cp1251", "utf-16", "utf-8-sig", "utf-16-be"])
def test_txt_files_in_legacy_encodings(tmp_path, encoding):
    text = RU_TEXT if encoding == "cp1251" else KK_TEXT
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = "\ufeff".encode("utf-16-be") + data
    write(tmp_path / "a.txt", data)
    arts, probs = read_all(tmp_path)
    art = arts["a.txt"]
    first, _, rest = text.partition("\n")
    assert art.title == first
    assert art.body == rest.strip()
    guessed = encoding in ("kz1048", "cp1251")
    assert [p.fatal for p in probs] == ([False] if guessed else [])


@given(st.binary(max_size=400))
@settings(max_examples=200, deadline=None)
def test_read_source_never_raises_on_random_bytes(tmp_path_factory, data):
    d = tmp_path_factory.mktemp("rnd")
    for name in ("r.txt", "r.jsonl"):
        write(d / name, data)
    srcs, _ = list_sources(d)
    for s in srcs:
        arts, probs = read_source(s, d)
        assert all(isinstance(a, Article) for a in arts)
        assert all(isinstance(p, Problem) and "\n" not in p.reason for p in probs)


# ---------------------------------------------------------------------------
# more failure paths


def test_jsonl_utf32(tmp_path):
    write(tmp_path / "u32.jsonl", jsonl({"id": "k", "title": "Қазақ", "text": KK_TEXT}).encode("utf-32"))
    arts, probs = read_all(tmp_path)
    assert probs == [] and arts["k"].body == KK_TEXT.strip()


def test_sidebar_entry_after_quoted_last_sentence():
    text = "Тақырып\n\nАбзац.\nОл: «Біз жеңеміз.»\nСпорт • Кеше\n"
    art, _ = parse_txt(text, "a.txt")
    assert art.body == "Абзац.\nОл: «Біз жеңеміз.»"


def test_unlistable_folders(tmp_path, monkeypatch):
    write(tmp_path / "ok" / "a.txt", "А\n\nМәтін.")
    write(tmp_path / "locked" / "b.txt", "Б\n\nМәтін.")
    real = os.scandir

    def fake_scandir(path):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(corpus_mod.os, "scandir", fake_scandir)
    arts, probs = read_all(tmp_path)
    assert list(arts) == ["ok/a.txt"]
    assert [(p.source, p.fatal) for p in probs] == [("locked", True)]
    with pytest.raises(CorpusError, match="cannot list"):
        list_sources(tmp_path / "locked")


def test_unexpected_error_is_a_problem_not_a_traceback(tmp_path, monkeypatch):
    write(tmp_path / "a.txt", "А\n\nМәтін.")
    write(tmp_path / "b.jsonl", jsonl({"id": "b", "title": "Б", "text": "Мәтін."}))

    def boom(text, relpath):
        raise RuntimeError("bug")

    monkeypatch.setattr(corpus_mod, "parse_txt", boom)
    arts, probs = read_all(tmp_path)
    assert list(arts) == ["b"]
    assert [(p.source, p.fatal) for p in probs] == [("a.txt", True)]
    assert "RuntimeError" in probs[0].reason


def test_iter_source_streams_in_line_order(tmp_path):
    write(tmp_path / "s.jsonl", jsonl({"id": "a", "title": "A", "text": "т"}, "{bad",
                                       {"id": "b", "title": "B", "text": "т"}))
    (src,), _ = list_sources(tmp_path)
    items = list(corpus_mod.iter_source(src))
    assert [(type(x).__name__, getattr(x, "id", getattr(x, "source", None))) for x in items] == [
        ("Article", "a"), ("Problem", "s.jsonl:2"), ("Article", "b")]
