import shutil

import pytest

pytest_plugins = ["marian_fixture"]


@pytest.fixture(scope="session")
def apertium_available() -> bool:
    return shutil.which("apertium") is not None


@pytest.fixture
def needs_apertium(apertium_available):
    if not apertium_available:
        pytest.skip("Debian apertium is not installed (make test installs it: scripts/install-system-deps.sh)")


@pytest.fixture(scope="session")
def seed_docs():
    """The five seed pages, cleaned."""
    from pathlib import Path

    from dedup import clean, read_corpus

    return [clean(d) for d in read_corpus(Path(__file__).resolve().parent.parent / "seeds")]
