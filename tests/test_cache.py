import shutil
import sqlite3

import pytest

from xlate.cache import TranslationMemory
from xlate.engines.apertium import ApertiumEngine
from xlate.glossary import Glossary
from xlate.translator import Translator

needs_apertium = pytest.mark.skipif(shutil.which("apertium") is None, reason="Debian apertium not installed")


def test_put_get_keyed_by_engine_and_glossary(tmp_path):
    with TranslationMemory(tmp_path / "tm.sqlite") as tm:
        tm.put_many("eng-a", "gl1", [("Bonjour.", "Hello."), ("Merci.", "Thanks.")])
        assert tm.get_many("eng-a", "gl1", ["Bonjour.", "Merci.", "Non."]) == {"Bonjour.": "Hello.", "Merci.": "Thanks."}
        assert tm.get_many("eng-b", "gl1", ["Bonjour."]) == {}
        assert tm.get_many("eng-a", "gl2", ["Bonjour."]) == {}
        assert (tm.hits, tm.misses) == (2, 3)


def test_rewriting_a_row_never_doubles_it(tmp_path):
    path = tmp_path / "tm.sqlite"
    with TranslationMemory(path) as tm:
        tm.put_many("e", "g", [("a", "x")])
        tm.put_many("e", "g", [("a", "y")])
        assert len(tm) == 1
        assert tm.get_many("e", "g", ["a"]) == {"a": "y"}


def test_many_sources_beyond_sqlite_parameter_limit(tmp_path):
    with TranslationMemory(tmp_path / "tm.sqlite") as tm:
        tm.put_many("e", "g", [(f"s{i}", f"t{i}") for i in range(2100)])
        assert len(tm.get_many("e", "g", [f"s{i}" for i in range(2100)])) == 2100


def test_schema_mismatch_is_a_clear_error(tmp_path):
    path = tmp_path / "tm.sqlite"
    TranslationMemory(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value='99' WHERE key='schema'")
    from xlate.errors import OutputError

    with pytest.raises(OutputError, match="schema 99"):
        TranslationMemory(path)


class CountingApertium(ApertiumEngine):
    """The real engine, counting the sentences it is asked to translate."""

    def __init__(self):
        super().__init__()
        self.calls: list[str] = []

    def translate_batch(self, sentences, src):
        self.calls.extend(sentences)
        return super().translate_batch(sentences, src)


@needs_apertium
def test_rerun_translates_only_what_changed(tmp_path):
    glossary = Glossary.load("seeds/glossary.tsv")
    cache = tmp_path / "tm.sqlite"
    text = "Le ministre a parlé. Kaja Kallas est arrivée à Achgabat. Le ministre a parlé."

    first = Translator("apertium", glossary=glossary, cache=cache)
    engine = CountingApertium()
    first._chain = [engine]
    a = first.translate(text, "fr")
    # The repeated sentence is translated once; Apertium respells Achgabat, so that sentence
    # goes again with placeholders (both English versions are kept in the memory).
    assert engine.calls == ["Le ministre a parlé.", "Kaja Kallas est arrivée à Achgabat.", "Zzqa est arrivée à Zzqb."]
    first.close()

    second = Translator("apertium", glossary=glossary, cache=cache)
    engine2 = CountingApertium()
    second._chain = [engine2]
    b = second.translate(text + " La réunion est finie.", "fr")
    assert engine2.calls == ["La réunion est finie."]
    assert [p.to_json() for p in b.pairs[:3]] == [p.to_json() for p in a.pairs]
    second.close()

    # Another glossary is another key: everything is translated again.
    other = Glossary.load("seeds/glossary.tsv")
    other.sha256 = "0" * 64
    third = Translator("apertium", glossary=other, cache=cache)
    engine3 = CountingApertium()
    third._chain = [engine3]
    third.translate(text, "fr")
    assert len(engine3.calls) == 3
    third.close()
