"""The search page in a real browser: Debian's chromium + chromium-driver, driven by Selenium.

Skipped when chromium or its driver is missing (``.ci/run`` installs them).  With
``SEARCHKZ_SCREENSHOTS=DIR`` the tests also save the README's screenshots there.
"""

import os
import shutil
import time
from pathlib import Path

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from searchkz import Index  # noqa: E402
from test_server import HOSTILE, SEED_DIR, make_corpus, running  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(not (CHROMIUM and DRIVER), reason="needs Debian's chromium and chromium-driver")
SHOTS = os.environ.get("SEARCHKZ_SCREENSHOTS")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    from searchkz.server import create_app

    d = tmp_path_factory.mktemp("web")
    Index(d / "index").reindex(make_corpus(SEED_DIR, d / "corpus"))
    with running(create_app(d / "index")) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1100,900", "--lang=kk",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=opts)
    yield driver
    driver.quit()


@pytest.fixture
def page(browser, base_url):
    browser.set_window_size(1100, 900)
    browser.get(base_url + "/#")
    browser.execute_script("localStorage.clear()")
    browser.get(base_url + "/")
    WebDriverWait(browser, 10).until(lambda b: b.find_element(By.ID, "status").text)
    return browser


def wait_hits(b, n_min=1):
    WebDriverWait(b, 10).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#hits li.hit")) >= n_min)
    return b.find_elements(By.CSS_SELECTOR, "#hits li.hit")


def search(b, text):
    box = b.find_element(By.ID, "q")
    box.clear()
    box.send_keys(text, Keys.ENTER)
    return wait_hits(b)


def shot(b, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        b.save_screenshot(str(Path(SHOTS) / name))


def test_kazakh_query_shows_highlighted_inflected_forms(page):
    hits = search(page, "қоғамдық кеңес")
    assert len(hits) == 6
    assert "нәтиже" in page.find_element(By.ID, "status").text
    marks = {m.text.lower() for m in page.find_elements(By.CSS_SELECTOR, "#hits mark")}
    assert {"кеңестердің", "қоғамдық"} <= marks
    assert all(m.startswith(("кеңес", "қоғам")) for m in marks)


def test_civil_society_and_its_article(page):
    hits = search(page, "азаматтық қоғам")
    assert len(hits) == 5
    marks = {m.text.lower() for m in page.find_elements(By.CSS_SELECTOR, "#hits mark")}
    assert {"азаматтық", "қоғам", "қоғамның"} <= marks
    shot(page, "search.png")
    hits[0].find_element(By.CSS_SELECTOR, "h2 a").click()
    WebDriverWait(page, 10).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#article .text")))
    marks = {m.text.lower() for m in page.find_elements(By.CSS_SELECTOR, "#article .text mark")}
    assert {"азаматтық", "қоғам"} <= marks
    shot(page, "article.png")


def test_open_an_article_and_come_back_with_the_keyboard(page):
    search(page, "кеңес")
    first = page.find_element(By.CSS_SELECTOR, "#hits li.hit h2 a")
    title = first.text
    first.send_keys(Keys.ENTER)
    art = WebDriverWait(page, 10).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#article h1")))
    assert art.text == title
    marks = [m.text.lower() for m in page.find_elements(By.CSS_SELECTOR, "#article .text mark")]
    assert len(marks) >= 5 and all(m.startswith("кеңес") for m in marks)
    page.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
    wait_hits(page)
    assert page.find_element(By.ID, "q").get_attribute("value") == "кеңес"
    page.find_element(By.TAG_NAME, "body").send_keys("/")
    assert page.switch_to.active_element.get_attribute("id") == "q"


def test_pages(page, base_url):
    page.get(base_url + "/#q=" + "қоғамдық кеңес" + "&limit=2")
    first = [h.text for h in wait_hits(page, 2)]
    page.find_element(By.CSS_SELECTOR, "#pages a.next").click()
    WebDriverWait(page, 10).until(lambda b: b.find_element(By.ID, "hits").get_attribute("start") == "3")
    second = [h.text for h in wait_hits(page, 2)]
    assert len(second) == 2 and not set(first) & set(second)
    current = page.find_element(By.CSS_SELECTOR, "#pages a[aria-current=page]")
    assert current.text == "2"


def test_date_filter(page):
    search(page, "кеңес")
    assert len(page.find_elements(By.CSS_SELECTOR, "#hits li.hit")) == 4
    page.execute_script(
        "const s = document.getElementById('since'); s.value = '2019-10-15';"
        "s.dispatchEvent(new Event('change'));"
    )
    WebDriverWait(page, 10).until(lambda b: "since=2019-10-15" in b.current_url)
    WebDriverWait(page, 10).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#hits li.hit")) == 2)
    dates = [m.text[:10] for m in page.find_elements(By.CSS_SELECTOR, "#hits .meta")]
    assert all(d >= "2019-10-15" for d in dates), dates


def _assert_inert(b):
    assert b.execute_script("return window.__pwned === undefined")
    injected = b.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.tagName === 'IMG' || e.tagName === 'SCRIPT'"
        " || e.tagName === 'B' || [...e.attributes].some(a => a.name.startsWith('on'))).map(e => e.outerHTML)"
    )
    assert injected == []


def test_hostile_article_renders_as_text(page):
    hits = search(page, "қоғамдық кеңес")
    hostile = [h for h in hits if "<script>" in h.find_element(By.CSS_SELECTOR, "h2").text]
    assert len(hostile) == 1
    assert hostile[0].find_element(By.CSS_SELECTOR, "h2").text.startswith("<script>window.__pwned = 1</script>")
    _assert_inert(page)
    hostile[0].find_element(By.CSS_SELECTOR, "h2 a").click()
    text = WebDriverWait(page, 10).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#article .text")))
    assert text.text == HOSTILE["text"]
    assert page.find_element(By.CSS_SELECTOR, "#article h1").text == HOSTILE["title"]
    time.sleep(0.3)  # an onerror would fire when its image fails to load
    _assert_inert(page)


def test_english_switch(page):
    search(page, "кеңес")
    page.find_element(By.ID, "lang").click()
    WebDriverWait(page, 10).until(lambda b: "hits" in b.find_element(By.ID, "status").text)
    assert page.find_element(By.ID, "go").text == "Search"
    assert page.find_element(By.ID, "lang").text == "Қазақша"
    page.find_element(By.ID, "lang").click()
    assert page.find_element(By.ID, "go").text == "Іздеу"


def test_readable_on_a_phone(page):
    page.set_window_size(390, 844)
    search(page, "қоғамдық кеңес")
    too_wide = page.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > window.innerWidth)"
        ".map(e => e.tagName + '#' + e.id)"
    )
    assert too_wide == [] and page.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    box = page.find_element(By.ID, "q")
    assert box.size["width"] >= 150 and box.location["x"] >= 0
    shot(page, "phone.png")


def test_an_error_is_shown_as_one_line(page, base_url):
    page.get(base_url + "/#q=кеңес&since=кеше")
    WebDriverWait(page, 10).until(lambda b: "cannot read the date" in b.find_element(By.ID, "status").text)
    assert page.find_element(By.ID, "status").get_attribute("class") == "error"


# -- similar articles, copies, the timeline, newest first ---------------------------------------------



@pytest.fixture(scope="module")
def reprint_url(tmp_path_factory):
    """The test corpus plus a reprint of one article under another title and file name."""
    from searchkz.server import create_app

    d = tmp_path_factory.mktemp("web18")
    corpus = make_corpus(SEED_DIR, d / "corpus")
    original = (corpus / "002_ad8a2653cb24e9f8.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    (corpus / "reprint.txt").write_text("Азаматтық сектор: форум өтті\n" + original, encoding="utf-8")
    Index(d / "index").reindex(corpus)
    with running(create_app(d / "index")) as url:
        yield url


def test_copies_timeline_similar_and_newest_first(browser, reprint_url):
    b = browser
    b.set_window_size(1100, 900)
    b.get(reprint_url + "/#q=" + "азаматтық қоғам")
    hits = wait_hits(b, 5)
    assert len(hits) == 5  # the reprint is collapsed into its original's hit
    more = b.find_element(By.CSS_SELECTOR, "#hits button.more")
    assert more.text == "+1 көшірме"
    more.click()
    copies = b.find_elements(By.CSS_SELECTOR, "#hits ul.copies li a")
    assert [a.text for a in copies] in (["reprint.txt"], ["002_ad8a2653cb24e9f8.txt"])
    chart = WebDriverWait(b, 10).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#timeline svg")))
    bars = chart.find_elements(By.CSS_SELECTOR, "rect.bar")
    assert len(bars) >= 2  # 2018-10 .. 2019-11, month by month
    b.find_element(By.CSS_SELECTOR, "#hits li.hit h2 a").click()
    similar = WebDriverWait(b, 10).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#article ol.similar")))
    assert similar.find_elements(By.TAG_NAME, "li")
    b.get(reprint_url + "/#q=" + "азаматтық қоғам" + "&sort=-date")
    wait_hits(b, 5)
    dates = [m.text[:10] for m in b.find_elements(By.CSS_SELECTOR, "#hits .meta") if m.text[:4].isdigit()]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 2


def test_timeline_chart_links_filter_to_a_month(page, base_url):
    """The timeline chart: a bar a month from the first to the last (empty ones too), the undated
    counted apart, and a month's bar a link that filters the search to that month."""
    page.get(base_url + "/#q=" + "азаматтық қоғам")
    wait_hits(page, 5)
    chart = WebDriverWait(page, 10).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#timeline svg")))
    assert len(chart.find_elements(By.CSS_SELECTOR, "rect.bar")) == 14  # 2018-10 … 2019-11
    assert len(chart.find_elements(By.CSS_SELECTOR, "a")) == 3  # the months with articles: 2018-10, 2019-10, 2019-11
    assert "2" in page.find_element(By.CSS_SELECTOR, "#timeline h2").text  # two undated
    link = chart.find_elements(By.CSS_SELECTOR, "a")[1]
    assert link.get_attribute("aria-label") == "2019-10: 1"
    page.execute_script("arguments[0].dispatchEvent(new MouseEvent('click', {bubbles: true}))", link)
    WebDriverWait(page, 10).until(lambda b: "since=2019-10-01&until=2019-10-31" in b.current_url)
    WebDriverWait(page, 10).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#hits li.hit")) == 1)
    assert page.find_element(By.CSS_SELECTOR, "#hits .meta").text.startswith("2019-10-10")
    assert page.find_element(By.ID, "since").get_attribute("value") == "2019-10-01"  # the form shows the filter


# -- characters outside the BMP, a $ in a message, the outlets' list, the last page ------------------

EMOJI = {
    "id": "emoji-1",
    "title": "😀😀 Қоғамдық кеңестің отырысы",
    "date": "2019-11-02",
    "source": "emoji.example",
    "text": "😀😀😀 Бүгін қоғамдық кеңес отырысы өтті. 𝕂𝕫 Кеңес мүшелері жиналды.",
}


@pytest.fixture(scope="module")
def emoji_url(tmp_path_factory):
    import json

    from searchkz.server import create_app

    d = tmp_path_factory.mktemp("webemoji")
    corpus = make_corpus(SEED_DIR, d / "corpus")
    (corpus / "emoji.jsonl").write_text(json.dumps(EMOJI, ensure_ascii=False) + "\n", encoding="utf-8")
    original = (corpus / "002_ad8a2653cb24e9f8.txt").read_text(encoding="utf-8").split("\n", 1)[1]
    for i in (1, 2):  # two reprints: 7 articles match "азаматтық қоғам", in 5 groups
        (corpus / f"reprint{i}.txt").write_text(f"Азаматтық сектор {i}: форум өтті\n" + original, encoding="utf-8")
    Index(d / "index").reindex(corpus)
    with running(create_app(d / "index")) as url:
        yield url


def test_highlights_after_an_emoji_mark_the_words(browser, emoji_url):
    """The API's offsets count characters, JavaScript's strings UTF-16 units (an emoji is two)."""
    browser.get(emoji_url + "/#q=кеңес")
    hit = next(h for h in wait_hits(browser) if "😀" in h.find_element(By.CSS_SELECTOR, "h2").text)
    marks = [m.text for m in hit.find_elements(By.CSS_SELECTOR, "p mark, .snippet mark")]
    assert marks and {m.lower() for m in marks} == {"кеңес"}, marks
    assert [m.text for m in hit.find_elements(By.CSS_SELECTOR, "h2 mark")] == ["кеңестің"]
    hit.find_element(By.CSS_SELECTOR, "h2 a").click()
    WebDriverWait(browser, 10).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#article .text")))
    assert [m.text.lower() for m in browser.find_elements(By.CSS_SELECTOR, "#article .text mark")] == ["кеңес", "кеңес"]


def test_the_outlets_list_is_filled(browser, emoji_url):
    browser.get(emoji_url + "/#q=кеңес")
    wait_hits(browser)
    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#sources option"))
    values = {o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "#sources option")}
    assert {"emoji.example", "hostile.example"} <= values


def test_a_dollar_sign_in_an_error_is_shown_as_typed(browser, emoji_url):
    browser.get(emoji_url + "/#q=" + "%24%60")  # $` : a replacement pattern in String.replace
    WebDriverWait(browser, 10).until(lambda b: b.find_element(By.ID, "status").get_attribute("class") == "error")
    text = browser.find_element(By.ID, "status").text
    assert "'$`'" in text and text.count("Қате") == 1, text


def test_pages_count_each_group_of_copies_once(browser, emoji_url):
    """7 articles match, 2 of them reprints: the count says 5 and the first page offers 2 pages of
    3, not 3 (the last of which was empty); a short page is the last."""
    browser.get(emoji_url + "/#q=" + "азаматтық қоғам" + "&limit=3")
    hits = wait_hits(browser)
    assert len(hits) == 3 and browser.find_element(By.ID, "status").text.startswith("5 ")
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#pages a.num")] == ["1", "2"]
    browser.find_element(By.CSS_SELECTOR, "#pages a.next").click()
    WebDriverWait(browser, 10).until(lambda b: len(b.find_elements(By.CSS_SELECTOR, "#hits li.hit")) == 2)
    assert browser.find_element(By.ID, "status").text.startswith("5 ")
    assert not browser.find_elements(By.CSS_SELECTOR, "#pages a.next")
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#pages a.num")] == ["1", "2"]
