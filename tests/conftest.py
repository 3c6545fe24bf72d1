"""Shared fixtures: the repo's seed corpus (no dependency on /work/shared)."""

import shutil
from pathlib import Path

import pytest

SEED_DIR = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture
def seed_dir() -> Path:
    """The bundled corpus folder (read-only: copy it before changing anything)."""
    return SEED_DIR


@pytest.fixture
def tmp_corpus(tmp_path: Path) -> Path:
    """A writable copy of the bundled corpus in tmp_path."""
    dst = tmp_path / "corpus"
    shutil.copytree(SEED_DIR, dst)
    for p in [dst, *dst.rglob("*")]:
        p.chmod(0o755 if p.is_dir() else 0o644)
    return dst
