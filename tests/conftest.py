"""Shared fixtures: the repo's seed corpus (no dependency on /work/shared)."""

import shutil
from pathlib import Path

import pytest

SEED_DIR = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture
def seed_dir() -> Path:
    """The bundled corpus folder (read-only: copy it before changing anything)."""
    return SEED_DIR


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Path:
    """An index of the bundled corpus, built once for the tests that only search it."""
    from searchkz import Index

    path = tmp_path_factory.mktemp("seed") / "index"
    Index(path).reindex(SEED_DIR, procs=1)
    return path


@pytest.fixture
def tmp_corpus(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus in tmp_path."""
    dst = tmp_path / "corpus"
    shutil.copytree(SEED_DIR, dst)
    for p in [dst, *dst.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    return dst


def build_updated_index(d: Path, n: int, seed: int, added: int, deleted: int):
    """``n`` generated articles of the bundled corpus's sentences written by two processes (two
    segments), then an incremental update: ``added`` new files, ``deleted`` removed (a third
    segment, deletions in the first two).  Returns the Index (closed) and the sentences."""
    from searchkz import Index
    from searchkz.bench import speed

    sentences, _source = speed.load_sentences(None)
    info = speed.build_corpus(d / "corpus", n, sentences, seed=seed, words=120, fmt="txt")
    ix = Index(d / "index")
    ix.reindex(info.path, procs=2)
    files = sorted(Path(info.path).rglob("*.txt"))
    for i, f in enumerate(files[:added]):
        (f.parent / f"new{i}.txt").write_bytes(f.read_bytes())
    for f in files[added : added + deleted]:
        f.unlink()
    ix.reindex(info.path, procs=1)
    reader = ix._open().reader()
    assert len(list(reader.leaf_readers())) >= 3 and reader.has_deletions()
    ix.close()
    return ix, sentences


@pytest.fixture(scope="session")
def updated_index_builder():
    """:func:`build_updated_index`, for module fixtures."""
    return build_updated_index
