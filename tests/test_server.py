"""The JSON API of ``searchkz serve`` (Starlette's TestClient; no browser, no socket)."""

import json
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

pytest.importorskip("starlette.testclient")
from starlette.testclient import TestClient  # noqa: E402

from searchkz import Index  # noqa: E402
from searchkz.server import MAX_LIMIT, create_app  # noqa: E402

SEED_DIR = Path(__file__).resolve().parent.parent / "corpus"

HOSTILE = {
    "id": "hostile-1",
    "title": '<script>window.__pwned = 1</script> Қоғамдық кеңес <img src=x onerror="window.__pwned=2">',
    "date": "2019-10-20",
    "source": "hostile.example",
    "text": 'Қоғамдық кеңестердің отырысы өтті. <img src=x onerror="window.__pwned=3"> '
    '<script>window.__pwned=4</script> " onmouseover="window.__pwned=5" <b>кеңес</b> &lt;i&gt;',
}


def make_corpus(seed_dir: Path, dst: Path) -> Path:
    """The bundled corpus plus one article made of HTML that must stay text."""
    shutil.copytree(seed_dir, dst)
    for p in [dst, *dst.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    (dst / "hostile.jsonl").write_text(json.dumps(HOSTILE, ensure_ascii=False) + "\n", encoding="utf-8")
    return dst


@contextmanager
def running(app):
    """``app`` served by uvicorn as ``searchkz serve`` serves it, on 127.0.0.1 (a free port) in a
    thread: yields its base URL."""
    import uvicorn

    from searchkz.server import uvicorn_options

    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options("127.0.0.1", 0)))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(5)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    d = tmp_path_factory.mktemp("serve")
    corpus = make_corpus(SEED_DIR, d / "corpus")
    Index(d / "index").reindex(corpus)
    return d


@pytest.fixture(scope="module", params=["lock", "thread", "processes"])
def client(built, request):
    """The app with one shared Index, one per thread, or two search processes (``--workers 2``)."""
    app = create_app(built / "index", access="lock", processes=2) if request.param == "processes" else (
        create_app(built / "index", access=request.param))
    with TestClient(app) as c:
        yield c
    app.state.indexes.pool.shutdown()


def test_search_returns_highlighted_inflected_forms(client):
    r = client.get("/api/search", params={"q": "қоғамдық кеңес", "limit": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == body["groups"] == 6 and body["offset"] == 0 and len(body["hits"]) == 3
    assert [h["rank"] for h in body["hits"]] == [1, 2, 3]
    marked = set()
    for hit in body["hits"]:
        for s, e in hit["highlights"]:
            marked.add(hit["snippet"][s:e].lower())
    assert {"кеңестердің", "қоғамдық"} <= marked  # inflected forms of the query's words
    # and the acronym the archive defines for it: "қоғамдық кеңестерінің (ҚК)" in article 003
    assert all(w.startswith(("кеңес", "қоғам")) or w == "қк" for w in marked)


def test_pages_follow_each_other_without_overlap(client):
    whole = [h["id"] for h in client.get("/api/search", params={"q": "қоғамдық кеңес", "limit": 6}).json()["hits"]]
    pages = []
    for page in (1, 2, 3):
        body = client.get("/api/search", params={"q": "қоғамдық кеңес", "limit": 2, "page": page}).json()
        assert body["total"] == 6
        assert body["offset"] == (page - 1) * 2
        assert [h["rank"] for h in body["hits"]] == [body["offset"] + 1, body["offset"] + 2]
        pages += [h["id"] for h in body["hits"]]
    assert pages == whole and len(set(whole)) == 6


def test_date_filter(client):
    body = client.get("/api/search", params={"q": "кеңес", "since": "2019-10-15", "until": "2019-12-31"}).json()
    assert {h["id"] for h in body["hits"]} == {"hostile-1", "001_07369e8b3fe96b32.txt"}
    assert all("2019-10-15" <= h["date"][:10] <= "2019-12-31" for h in body["hits"])


def test_article_with_query_highlights_the_whole_text(client):
    r = client.get("/api/article", params={"id": "003_ef5e74323f016fa6.txt", "q": "кеңес"})
    assert r.status_code == 200
    doc = r.json()
    words = {doc["text"][s:e].lower() for s, e in doc["highlights"]}
    assert "кеңестерінің" in words and len(doc["highlights"]) >= 5
    assert client.get("/api/article", params={"id": "003_ef5e74323f016fa6.txt"}).json()["highlights"] == []


def test_hostile_article_comes_back_as_the_same_text(client):
    doc = client.get("/api/article", params={"id": "hostile-1"}).json()
    assert doc["title"] == HOSTILE["title"] and doc["text"] == HOSTILE["text"]


@pytest.mark.parametrize(
    "path, params, status, words",
    [
        ("/api/search", {}, 400, "missing parameter 'q'"),
        ("/api/search", {"q": "   "}, 400, "missing parameter 'q'"),
        ("/api/search", {"q": "кеңес", "limit": "0"}, 400, "limit must be"),
        ("/api/search", {"q": "кеңес", "limit": str(MAX_LIMIT + 1)}, 400, "limit must be"),
        ("/api/search", {"q": "кеңес", "limit": "бес"}, 400, "limit must be"),
        ("/api/search", {"q": "кеңес", "page": "-1"}, 400, "page must be"),
        ("/api/search", {"q": "кеңес", "offset": "99999"}, 400, "offset must be"),
        ("/api/search", {"q": "кеңес", "since": "кеше"}, 400, "cannot read the date"),
        ("/api/search", {"q": "кеңес", "since": "2020", "until": "2019"}, 400, "is after"),
        ("/api/search", {"q": "кеңес", "sort": "random"}, 400, "sort must be one of"),
        ("/api/search", {"q": "қоғам" * 500}, 400, "query too long"),
        ("/api/search", {"q": "title:(кеңес"}, 200, ""),  # Whoosh repairs it: not an error
        ("/api/article", {}, 400, "missing parameter 'id'"),
        ("/api/article", {"id": "../../etc/passwd"}, 404, "no article with id"),
        ("/api/article", {"id": "/etc/passwd"}, 404, "no article with id"),
        ("/api/article", {"id": "000_673e680e95f3e0a9"}, 404, "no article with id"),
        ("/api/facets", {"q": "кеңес", "by": "hour"}, 400, "by must be one of"),
        ("/api/nothing-here", {}, 404, "no such page"),
        ("/static/../../../etc/passwd", {}, 404, "no such page"),
        ("/static/%2e%2e/%2e%2e/api.py", {}, 404, "no such page"),
    ],
)
def test_errors_are_one_line_json(client, path, params, status, words):
    r = client.get(path, params=params)
    assert r.status_code == status, r.text
    if status != 200:
        body = r.json()
        assert words in body["error"] and "\n" not in body["error"] and "Traceback" not in r.text


def test_read_only(client):
    for method in ("post", "put", "delete"):
        r = client.request(method.upper(), "/api/search", params={"q": "кеңес"})
        assert r.status_code == 405 and r.json()["error"]


def test_stats_and_health(client):
    stats = client.get("/api/stats").json()
    assert stats["documents"] == 6 and stats["terms"]["body"] > 100
    assert client.get("/api/health").json() == {"status": "ok", "documents": 6}


def test_page_and_static_files_with_security_headers(client):
    r = client.get("/")
    assert r.status_code == 200 and '<input id="q"' in r.text and "/static/app.js" in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    js = client.get("/static/app.js")
    assert js.status_code == 200 and "function marked(" in js.text
    assert "innerHTML" not in js.text and "outerHTML" not in js.text and "insertAdjacentHTML" not in js.text
    assert client.get("/static/style.css").status_code == 200


def test_missing_index_is_503_not_a_trace(tmp_path):
    with TestClient(create_app(tmp_path / "none")) as c:
        r = c.get("/api/search", params={"q": "кеңес"})
        assert r.status_code == 503 and "no index at" in r.json()["error"]
        assert c.get("/api/health").status_code == 503


def test_a_reindex_in_another_process_is_picked_up(tmp_path, seed_dir):
    corpus = make_corpus(seed_dir, tmp_path / "corpus")
    Index(tmp_path / "index").reindex(corpus)
    with TestClient(create_app(tmp_path / "index")) as c:
        assert c.get("/api/search", params={"q": "сүмбіле"}).json()["total"] == 0
        extra = {"id": "new-1", "title": "Сүмбіле айы", "date": "2020-09-01", "text": "Сүмбіле айында егін жиналады."}
        (corpus / "extra.jsonl").write_text(json.dumps(extra, ensure_ascii=False) + "\n", encoding="utf-8")
        Index(tmp_path / "index").reindex(corpus)  # another Index: as a second process would
        body = c.get("/api/search", params={"q": "сүмбіле"}).json()
        assert [h["id"] for h in body["hits"]] == ["new-1"]
        assert c.get("/api/health").json()["documents"] == 7


# -- similar articles, timelines, order and outlets ----------------------------



def test_similar_and_unknown_id(client):
    body = client.get("/api/similar", params={"id": "003_ef5e74323f016fa6.txt", "limit": 3}).json()
    assert 1 <= len(body["hits"]) <= 3 and "003_ef5e74323f016fa6.txt" not in {h["id"] for h in body["hits"]}
    r = client.get("/api/similar", params={"id": "../../etc/passwd"})
    assert r.status_code == 404 and "error" in r.json()


def test_timeline_by_year_counts_undated_apart(client):
    f = client.get("/api/timeline", params={"q": "қоғамдық кеңес", "by": "year"}).json()  # 6 articles, 2 undated
    assert f["by"] == "year" and [b["key"] for b in f["buckets"]] == ["2018", "2019"]
    assert sum(b["count"] for b in f["buckets"]) + f["undated"] == f["total"] == 6 and f["undated"] == 2


def test_newest_first_and_source_filter(client):
    hits = client.get("/api/search", params={"q": "кеңес", "sort": "-date"}).json()["hits"]
    dates = [h["date"] for h in hits if h["date"]]
    assert dates == sorted(dates, reverse=True) and dates
    src = client.get("/api/search", params={"q": "кеңес", "source": HOSTILE["source"]}).json()
    assert [h["id"] for h in src["hits"]] == ["hostile-1"]
    assert all("copies" in h and "group" in h for h in hits)


# -- the serve command ----------------------------------------------------------


def test_serve_without_an_index_is_one_line_exit_2(tmp_path):
    from click.testing import CliRunner

    from searchkz.cli import main

    r = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none"), "--port", "1"])
    assert r.exit_code == 2 and "no index at" in r.output and "Traceback" not in r.output


def test_serve_on_a_taken_port_is_one_line_exit_2(built):
    import socket

    from click.testing import CliRunner

    from searchkz.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = CliRunner().invoke(main, ["serve", "--index", str(built / "index"), "--port", str(port)])
    assert r.exit_code == 2 and f"cannot listen on 127.0.0.1:{port}" in r.output


def test_serve_binds_localhost_by_default_and_answers(built):
    import subprocess
    import sys
    import urllib.request

    from searchkz.bench.load import free_port, stop, wait_up
    from searchkz.cli import main

    assert {p.name: p.default for p in main.commands["serve"].params}["host"] == "127.0.0.1"
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "searchkz", "serve", "--index", str(built / "index"),
                             "--port", str(port)], stderr=subprocess.PIPE, text=True)
    try:
        wait_up(port, 20)
        body = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=%D0%BA%D0%B5%D2%A3%D0%B5%D1%81"))
        assert body["total"] == 4
    finally:
        stop(proc)
    assert f"serving {built / 'index'} at http://127.0.0.1:{port}/" in proc.stderr.read()


def test_a_bug_is_a_one_line_500(built, monkeypatch):
    def broken(self):
        raise RuntimeError("secret internals\n  File 'x.py'")

    monkeypatch.setattr(Index, "stats", broken)
    with TestClient(create_app(built / "index")) as c:
        r = c.get("/api/stats")
    assert r.status_code == 500 and r.json() == {"error": "internal error (RuntimeError)", "status": 500}


def _pid(ix) -> int:
    """The process answering (sent to a search process by reference)."""
    import os

    return os.getpid()


def test_a_killed_search_process_is_replaced(built):
    """``--workers 2``: a search process that dies (killed, out of memory) fails no request; the
    next requests go to new processes."""
    import os
    import signal

    app = create_app(built / "index", processes=2)
    try:
        with TestClient(app) as c:
            assert c.get("/api/search", params={"q": "кеңес"}).json()["total"] == 4
            pids = app.state.indexes.call(_pid)
            os.kill(pids, signal.SIGKILL)
            time.sleep(0.2)
            for _ in range(4):
                r = c.get("/api/search", params={"q": "кеңес"})
                assert r.status_code == 200 and r.json()["total"] == 4
            assert app.state.indexes.call(_pid) != pids
    finally:
        app.state.indexes.pool.shutdown()


@pytest.mark.parametrize("how", ["ctrl-c", "sigkill"])
def test_search_processes_stop_with_the_server(built, how):
    """Ctrl+C (SIGINT to the terminal's process group) stops the server and its search processes
    without a trace; a SIGKILLed server's processes notice within seconds and exit."""
    import os
    import signal
    import subprocess
    import sys
    import urllib.request

    from searchkz.bench.load import free_port, wait_up

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "searchkz", "serve", "--index", str(built / "index"),
                             "--port", str(port), "--workers", "2"], stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        wait_up(port, 20)
        body = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q=%D0%BA%D0%B5%D2%A3%D0%B5%D1%81"))
        assert body["total"] == 4
        kids = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(kids) == 2
    finally:
        if how == "ctrl-c":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.kill()
        proc.wait(20)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(os.path.exists(f"/proc/{k}") for k in kids):
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{k}") for k in kids)
    if how == "ctrl-c":
        assert proc.returncode == 0 and "Traceback" not in proc.stderr.read()


def test_a_replacement_search_process_holds_no_socket(built):
    """A search process forked while the server runs (replacing a killed one) closes the sockets it
    inherited: the listening one and the clients' connections stay the server's alone."""
    import os
    import signal
    import stat
    import subprocess
    import sys
    import urllib.request

    from searchkz.bench.load import free_port, stop, wait_up

    def sockets(pid: str) -> int:
        n = 0
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                n += stat.S_ISSOCK(os.stat(f"/proc/{pid}/fd/{fd}").st_mode)
            except OSError:
                pass
        return n

    url = "http://127.0.0.1:{}/api/search?q=%D0%BA%D0%B5%D2%A3%D0%B5%D1%81"
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "searchkz", "serve", "--index", str(built / "index"),
                             "--port", str(port), "--workers", "2"], stderr=subprocess.PIPE, text=True)
    try:
        wait_up(port, 20)
        first = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        os.kill(int(first[0]), signal.SIGKILL)
        for _ in range(4):
            assert json.load(urllib.request.urlopen(url.format(port)))["total"] == 4
        kids = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        assert len(kids) == 2 and first[0] not in kids
        assert [sockets(k) for k in kids] == [0, 0]
        assert sockets(str(proc.pid)) >= 1  # (the server's own listening socket)
    finally:
        stop(proc)


def _exchange(base: str, chunks: list, pause: float = 0.0, wait: float = 5.0) -> tuple[bytes, float]:
    """Send ``chunks`` over one raw connection to ``base`` (``pause`` s apart); ``(everything the
    server sent until it closed or ``wait`` s passed, seconds from the last chunk to then)``."""
    import socket

    host, port = base.rsplit("/", 1)[1].split(":")
    with socket.create_connection((host, int(port))) as s:
        for i, chunk in enumerate(chunks):
            if i:
                time.sleep(pause)
            s.sendall(chunk)
        s.settimeout(wait)
        got, t = b"", time.monotonic()
        try:
            while True:
                part = s.recv(65536)
                if not part:
                    break
                got += part
        except TimeoutError:
            got += b"<still open>"
        return got, time.monotonic() - t


@pytest.fixture()
def quick_deadline(built, monkeypatch):
    """The app served with a request deadline of 0.5 s."""
    import searchkz.connections

    monkeypatch.setattr(searchkz.connections, "REQUEST_TIMEOUT", 0.5)
    app = create_app(built / "index")
    with running(app) as base:
        yield base


HEAD = "GET /api/search?q=%D2%9B%D0%BE%D2%93%D0%B0%D0%BC HTTP/1.1\r\nHost: x\r\n".encode()


@pytest.mark.parametrize("name, chunks", [
    ("nothing sent", [b""]),
    ("half a request line", [b"GET /api/sea"]),
    ("a head without its end", [HEAD]),
    ("a body a byte short", [HEAD + b"Content-Length: 5\r\n\r\nabcd"]),
    ("a second request begun after a first", [HEAD + b"\r\n", b"GET /api/st"]),
])
def test_a_request_not_delivered_in_time_is_closed(quick_deadline, name, chunks):
    """uvicorn waited forever for a request begun and not ended (or never begun): a connection
    and its file descriptor held for good.  Now it closes once the deadline passes."""
    got, waited = _exchange(quick_deadline, chunks, pause=0.2)
    assert not got.endswith(b"<still open>"), name
    assert waited < 3, name
    if len(chunks) > 1 or b"Content-Length" in chunks[0]:
        assert got.startswith(b"HTTP/1.1 200 "), name  # (what was complete was answered)
    else:
        assert got == b"", name


def test_a_slow_but_whole_request_is_answered_and_kept_alive(quick_deadline):
    """A request sent in pieces within the deadline is answered; the connection then stays open
    for the next one (the deadline runs from a request's first byte, not between requests)."""
    got, _ = _exchange(quick_deadline, [HEAD[:20], HEAD[20:], b"\r\n"], pause=0.15, wait=1.0)
    assert got.startswith(b"HTTP/1.1 200 ") and b'"total":5' in got
    assert got.endswith(b"<still open>")  # (uvicorn's keep-alive, 5 s, outlasts the 1 s waited)


@pytest.mark.parametrize("line", [
    "GET /api/search?q=қоғам HTTP/1.1\r\nHost: x\r\n\r\n".encode(),  # raw UTF-8, not percent-encoded
    b"GET /api/search?q=" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # TLS to the plain-HTTP port
])
def test_a_malformed_request_is_a_one_line_json_400(quick_deadline, line):
    got, _ = _exchange(quick_deadline, [line])
    head, _, body = got.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 ") and b"content-type: application/json" in head
    assert json.loads(body) == {"error": "malformed or oversized HTTP request (a URL is percent-encoded ASCII)",
                                "status": 400}
