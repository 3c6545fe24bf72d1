"""A reindex that cannot write (a full disk, an I/O error) stops with one line naming the index
and the space needed, leaves the live index whole and searchable, and removes its partial
generation: with an injected write error everywhere, and for real on a small tmpfs as root."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkz import Index
from searchkz.cli import main
from searchkz.errors import SearchkzError
from searchkz.index import current_generation

SEED_DIR = Path(__file__).resolve().parent.parent / "corpus"


class _SmallDisk:
    """A file whose writes fail with ENOSPC (or ``code``) once ``budget`` bytes are written in
    this process (all files together), like a disk that fills up."""

    left = 0
    code = errno.ENOSPC

    def __init__(self, raw) -> None:
        self._raw = raw

    def write(self, data):
        if len(data) > _SmallDisk.left:
            raise OSError(_SmallDisk.code, os.strerror(_SmallDisk.code))
        _SmallDisk.left -= len(data)
        return self._raw.write(data)

    def __getattr__(self, name):
        return getattr(self._raw, name)


@pytest.fixture
def small_disk(monkeypatch):
    """``small_disk(budget, code)``: from now on the index files of this process (and of the
    workers it forks) can take ``budget`` more bytes."""
    from whoosh.filedb.filestore import FileStorage

    create = FileStorage.create_file

    def create_file(self, name, *args, **kwargs):
        f = create(self, name, *args, **kwargs)
        f.file = _SmallDisk(f.file)
        return f

    def arm(budget: int, code: int = errno.ENOSPC) -> None:
        _SmallDisk.left, _SmallDisk.code = budget, code
        monkeypatch.setattr(FileStorage, "create_file", create_file)

    return arm


def _changed_corpus(src: Path, dst: Path) -> Path:
    """The bundled corpus with every article changed and a few added (a reindex must write)."""
    shutil.copytree(src, dst)
    files = sorted(p for p in dst.rglob("*.txt"))
    for i, p in enumerate(files):
        text = p.read_text(encoding="utf-8")
        p.write_text(text + "\nҚосымша жаңалық мәтіні.\n", encoding="utf-8")
        (p.parent / f"copy{i}_{p.name}").write_text(text.replace("қоғам", "қауым"), encoding="utf-8")
    return dst


def _failing_reindex(ix: Index, corpus: Path, full: bool, procs: int) -> str:
    """The message of the SearchkzError a reindex raises.  With two processes it runs in a forked
    child: a failed two-process build leaves a queue feeder thread behind in its process, which
    the test process should not keep."""
    if procs == 1:
        with pytest.raises(SearchkzError) as err:
            ix.reindex(corpus, full=full, procs=procs)
        return str(err.value)
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report the message, never return into pytest
        os.close(r)
        try:
            ix.reindex(corpus, full=full, procs=procs)
            msg = "no error"
        except SearchkzError as exc:
            msg = str(exc)
        except BaseException as exc:
            msg = f"wrong error {type(exc).__name__}: {exc}"
        os.write(w, msg.encode())
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        msg = fh.read().decode()
    os.waitpid(pid, 0)
    assert msg != "no error" and not msg.startswith("wrong error"), msg
    return msg


def _live_state(ix: Index):
    ix.close()
    res = ix.search("қоғамдық кеңес", limit=50)
    return current_generation(ix.path).name, ix.doc_count(), sorted(h.id for h in res)


def _assert_untouched(ix: Index, before) -> None:
    gen, n, ids = before
    assert _live_state(ix) == before
    assert ix.check() == []
    leftovers = sorted(p.name for p in ix.path.iterdir() if p.name not in (".lock", "CURRENT", gen))
    assert leftovers == [], leftovers


def _assert_message(msg: str, ix: Index) -> None:
    assert "\n" not in msg
    assert f"index {ix.path}:" in msg and "needed" in msg and "free" in msg
    assert "still live" in msg


@pytest.mark.parametrize("full", [True, False], ids=["full", "incremental"])
@pytest.mark.parametrize("procs", [1, 2])
@pytest.mark.parametrize("budget", [0, 30_000, 150_000])
def test_write_error_leaves_live_index(tmp_path, small_disk, full, procs, budget):
    ix = Index(tmp_path / "index")
    ix.reindex(SEED_DIR, procs=1)
    before = _live_state(ix)
    corpus = _changed_corpus(SEED_DIR, tmp_path / "corpus")
    small_disk(budget)
    msg = _failing_reindex(ix, corpus, full, procs)
    _assert_message(msg, ix)
    assert "No space left on device" in msg
    _assert_untouched(ix, before)


def test_io_error_named(tmp_path, small_disk):
    ix = Index(tmp_path / "index")
    ix.reindex(SEED_DIR, procs=1)
    before = _live_state(ix)
    small_disk(10_000, errno.EIO)
    with pytest.raises(SearchkzError, match="Input/output error"):
        ix.reindex(_changed_corpus(SEED_DIR, tmp_path / "corpus"), full=True, procs=1)
    _assert_untouched(ix, before)


def test_failed_publish_removes_the_renamed_generation(tmp_path, monkeypatch):
    from searchkz import index as index_mod

    ix = Index(tmp_path / "index")
    ix.reindex(SEED_DIR, procs=1)
    before = _live_state(ix)

    def publish(root, gen):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(index_mod, "_publish", publish)
    with pytest.raises(SearchkzError, match="still live"):
        ix.reindex(_changed_corpus(SEED_DIR, tmp_path / "corpus"), full=True, procs=1)
    _assert_untouched(ix, before)


def test_manifest_write_error_on_unchanged_corpus(tmp_path, monkeypatch):
    """Nothing to index but the live manifest to refresh: a full disk leaves no ``.tmp`` file."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_DIR, corpus)
    ix = Index(tmp_path / "index")
    ix.reindex(corpus, procs=1)
    before = _live_state(ix)
    for p in corpus.rglob("*.txt"):
        os.utime(p, ns=(p.stat().st_atime_ns, p.stat().st_mtime_ns + 10**9))  # touched, same text
    real_fsync = os.fsync

    def fsync(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(SearchkzError, match="No space left on device"):
        ix.reindex(corpus, procs=1)
    monkeypatch.setattr(os, "fsync", real_fsync)
    _assert_untouched(ix, before)
    gen = ix.path / before[0]
    assert not [p.name for p in gen.iterdir() if p.name.endswith(".tmp")]


def test_other_errors_are_not_disk_errors(tmp_path):
    from searchkz.index import reindex

    Index(tmp_path / "index").reindex(SEED_DIR, procs=1)
    with pytest.raises(RuntimeError, match="simulated"):
        reindex(tmp_path / "index", SEED_DIR, full=True, procs=1, _fail_after=1)


def test_cli_one_line_exit_2(tmp_path, small_disk):
    index = tmp_path / "index"
    Index(index).reindex(SEED_DIR, procs=1)
    small_disk(20_000)
    corpus = _changed_corpus(SEED_DIR, tmp_path / "corpus")
    result = CliRunner().invoke(main, ["reindex", "--corpus", str(corpus), "--index", str(index), "--procs", "1", "-q"])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("searchkz: error: index ") and "needed" in lines[0]


def _mount_tmpfs(path: Path, size: str) -> bool:
    if not sys.platform.startswith("linux") or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True)
    return done.returncode == 0


@pytest.fixture
def tiny_fs(tmp_path):
    mnt = tmp_path / "mnt"
    if not _mount_tmpfs(mnt, "1m"):
        pytest.skip("mounting a tmpfs needs root (and a system that allows it)")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_real_full_disk(tmp_path, tiny_fs):
    """A 1 MB tmpfs: the bundled corpus's index fits, a 250-article corpus does not."""
    from searchkz.bench import speed

    sentences, _ = speed.load_sentences(None)
    info = speed.build_corpus(tmp_path / "big", 250, sentences, seed=3, words=120, fmt="txt")
    for full in (True, False):
        ix = Index(tiny_fs / ("full" if full else "incr"))
        corpus = tmp_path / ("c-full" if full else "c-incr")
        shutil.copytree(SEED_DIR, corpus)
        ix.reindex(corpus, procs=1)
        before = _live_state(ix)
        shutil.copytree(info.path, corpus / "more")
        _assert_message(_failing_reindex(ix, corpus, full, 2), ix)
        _assert_untouched(ix, before)
        ix.close()  # (its mapped files hold their space until closed)
        shutil.rmtree(ix.path)
