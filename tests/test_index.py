"""ClusterIndex: incremental adds give the from-scratch clusters; atomic, checked file."""
import gzip
import re
from pathlib import Path

import pytest

from dedup.clustering import cluster
from dedup.config import ClusterConfig
from dedup.errors import ArticleTypeError, DedupError, IncompatibleFingerprintError
from dedup.index import ClusterIndex

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_incremental_equals_from_scratch(tmp_path, seed_docs):
    path = tmp_path / "events.idx"
    first = ClusterIndex.open(path)
    first.add(seed_docs[3:])  # 003, 004
    first.save()
    assert [c.members for c in first.clusters()] == [[seed_docs[3].id], [seed_docs[4].id]]
    later = ClusterIndex.open(path)
    assert len(later) == 2
    later.add(seed_docs[:3])
    later.save()
    reopened = ClusterIndex.open(path)
    expected = [c.to_json() for c in cluster(seed_docs)]
    assert [c.to_json() for c in reopened.clusters()] == expected
    assert [c.members for c in reopened.clusters()][0] == [seed_docs[0].id, seed_docs[2].id]


def test_publication_dates_survive_the_index(tmp_path):
    """A story's follow-up published six weeks later, added to a saved index, starts its
    own cluster, as in one run over all the articles."""
    from dedup.document import Document

    verdict = "La cour d'assises de Rennes a condamné Yannick Morvan à douze ans pour l'incendie de Plouguerneau."
    appeal = "Yannick Morvan fera appel : la cour de Rennes l'a condamné à douze ans pour l'incendie de Plouguerneau."
    trial = "Procès en appel à Rennes : Yannick Morvan conteste sa peine pour l'incendie de Plouguerneau."
    docs = [Document(id="a", text=verdict, published="2025-03-01"), Document(id="b", text=appeal, published="2025-03-02"),
            Document(id="c", text=trial, published="2025-04-12")]
    index = ClusterIndex.open(tmp_path / "events.idx")
    index.add(docs[:2])
    index.save()
    later = ClusterIndex.open(tmp_path / "events.idx")
    later.add(docs[2:])
    assert [c.members for c in later.clusters()] == [["a", "b"], ["c"]]  # undated, the three are one cluster
    assert [c.to_json() for c in later.clusters()] == [c.to_json() for c in cluster(docs)]


def test_save_is_deterministic_and_leaves_no_temp(tmp_path, seed_docs):
    a, b = tmp_path / "a.idx", tmp_path / "b.idx"
    ia = ClusterIndex.open(a)
    ia.add(seed_docs)
    ia.save()
    ib = ClusterIndex.open(b)
    ib.add(reversed(seed_docs))
    ib.save()
    assert a.read_bytes() == b.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.idx", "b.idx"]


def test_other_fingerprint_settings_are_refused(tmp_path, seed_docs):
    path = tmp_path / "x.idx"
    index = ClusterIndex.open(path)
    index.add(seed_docs[:1])
    index.save()
    with pytest.raises(IncompatibleFingerprintError) as refused:
        ClusterIndex.open(path, ClusterConfig(num_perm=64))
    assert str(refused.value) == (f"{path}: made with other fingerprint settings (num_perm: index 128, this config 64); "
                                  "open it with matching settings or delete it to rebuild")
    with pytest.raises(IncompatibleFingerprintError, match="made with no glossary, this run has a glossary"):
        ClusterIndex.open(path, aliases={"Achgabat": "Ashgabat"})
    # Scoring settings may change between runs.
    assert len(ClusterIndex.open(path, ClusterConfig(threshold=0.2))) == 1


def test_a_new_scoring_version_keeps_the_index_and_a_new_fingerprint_version_refuses_it(tmp_path, seed_docs, monkeypatch):
    import dedup.config

    path = tmp_path / "x.idx"
    index = ClusterIndex.open(path)
    index.add(seed_docs[:1])
    index.save()
    monkeypatch.setattr(dedup.config, "CLUSTER_VERSION", "99.0")  # scores changed, fingerprints did not
    assert len(ClusterIndex.open(path)) == 1
    assert ClusterConfig().signature.startswith("dedup:99.0|")  # results still say which scoring made them
    made_with = dedup.config.FINGERPRINT_VERSION
    monkeypatch.setattr(dedup.config, "FINGERPRINT_VERSION", "99.0")
    with pytest.raises(IncompatibleFingerprintError, match=re.escape(f"version: index {made_with!r}, this config '99.0'")):
        ClusterIndex.open(path)


def test_corrupt_index_raises_typed_error(tmp_path):
    path = tmp_path / "bad.idx"
    path.write_bytes(b"not gzip")  # a wrong path, not a damaged index: nothing to delete
    with pytest.raises(DedupError, match=r"is not a cluster index \(neither a zip nor gzip file\); check the path"):
        ClusterIndex.open(path)
    with pytest.raises(DedupError, match="is a folder; give the index's file path"):
        ClusterIndex.open(tmp_path)
    path.write_bytes(b"\x1f\x8b" + b"not gzip")  # a damaged one
    with pytest.raises(DedupError, match="corrupt or truncated cluster index"):
        ClusterIndex.open(path)
    path.write_bytes(gzip.compress(b'{"format": "something-else"}\n'))
    with pytest.raises(DedupError, match=r"not a cluster index \(a gzip file of format 'something-else'\); check the path"):
        ClusterIndex.open(path)
    path.write_bytes(b"")  # `touch events.idx`: not an index, and nothing says it may be replaced
    with pytest.raises(DedupError, match="bad.idx is an empty file, not a cluster index; delete it"):
        ClusterIndex.open(path)


def test_explain_from_the_index_gives_the_link_its_clusters_carry(tmp_path, seed_docs):
    path = tmp_path / "events.idx"
    index = ClusterIndex.open(path)
    index.add(seed_docs[3:])
    index.save()
    later = ClusterIndex.open(path)
    later.add(seed_docs[:3])
    later.save()
    (link,) = ClusterIndex.open(path).clusters()[0].links
    explained = ClusterIndex.open(path).explain(seed_docs[2].id, seed_docs[0].id)
    assert explained.to_json() == link.to_json()  # same score and reasons, texts not needed
    apart = ClusterIndex.open(path).explain(seed_docs[0].id, seed_docs[1].id)  # other Central-Asia meetings
    assert apart.score < ClusterConfig().threshold
    with pytest.raises(DedupError, match=r"no article 'missing' in this index of 5 \(ids look like: 000_"):
        ClusterIndex.open(path).explain("missing", seed_docs[0].id)


def test_is_index_reads_only_the_header(tmp_path, seed_docs):
    path = tmp_path / "events.idx"
    index = ClusterIndex.open(path)
    index.add(seed_docs[:1])
    index.save()
    other_gzip = tmp_path / "other.gz"
    with gzip.open(other_gzip, "wt", encoding="utf-8") as fh:
        fh.write('{"format": "something-else"}\n')
    corpus = tmp_path / "feed.jsonl"
    corpus.write_text('{"id": "a", "text": "Un texte."}\n', encoding="utf-8")
    assert [ClusterIndex.is_index(p) for p in (path, other_gzip, corpus, tmp_path / "absent", SEEDS)] == [True, False, False, False, False]


def test_add_says_what_was_new_changed_or_unchanged(tmp_path, seed_docs):
    from dataclasses import replace

    index = ClusterIndex.open(tmp_path / "events.idx")
    assert index.add(seed_docs[:2]) == (2, 0, 0)
    assert index.add(seed_docs[:3]) == (1, 0, 2)  # a folder read again, with one new article
    edited = replace(seed_docs[1], text=seed_docs[1].text + "\n\nLa réunion suivante aura lieu à Douchanbé en 2026, selon le communiqué final.")
    assert index.add([edited]) == (0, 1, 0)
    assert index.add([edited]) == (0, 0, 1)
    assert len(index) == 3


def test_removed_articles_leave_the_clusters_of_a_run_over_the_rest(tmp_path, seed_docs):
    index = ClusterIndex.open(tmp_path / "events.idx")
    index.add(seed_docs)
    gone = [seed_docs[1].id, seed_docs[4].id]
    assert index.remove([*gone, "never-added", gone[0]]) == ["never-added"]
    assert index.ids() == sorted(d.id for d in seed_docs if d.id not in gone)
    index.save()
    rest = [d for d in seed_docs if d.id not in gone]
    assert [c.to_json() for c in ClusterIndex.open(tmp_path / "events.idx").clusters()] == [c.to_json() for c in cluster(rest)]
    assert index.remove(gone) == sorted(gone)  # a rerun: already gone, reported, not an error


def test_forget_before_keeps_a_rolling_window_and_the_undated(tmp_path):
    import datetime as dt

    from dedup.document import Document

    text = "La cour d'assises de Rennes a condamné Yannick Morvan à douze ans pour l'incendie de Plouguerneau."
    docs = [Document(id="old", text=text, published="2025-01-31T23:59:00"), Document(id="new", text=text, published="2025-02-01"),
            Document(id="undated", text=text), Document(id="odd-date", text=text, published="hier")]
    index = ClusterIndex.open(tmp_path / "events.idx")
    index.add(docs)
    assert index.forget_before(dt.date(2025, 2, 1)) == (1, 2)
    assert index.ids() == ["new", "odd-date", "undated"]
    assert index.forget_before(dt.datetime(2025, 2, 2, 12, 0)) == (1, 2)  # a datetime counts by its day
    assert index.ids() == ["odd-date", "undated"]
    index.add(docs[:2])
    assert index.forget_before("2025-02-01") == (1, 2)  # an ISO day, as --forget-before takes it
    from dedup.errors import ConfigError

    with pytest.raises(ConfigError, match=r"forget_before\('1/2/2025'\): not a day; give YYYY-MM-DD"):
        index.forget_before("1/2/2025")
    with pytest.raises(ConfigError, match="ClusterIndex.open"):
        ClusterIndex.open(None)  # type: ignore[arg-type]


def _fields(fp) -> tuple:
    from dedup.fingerprint import _FINGERPRINT_FIELDS

    return tuple(getattr(fp, name).tolist() if hasattr(getattr(fp, name), "tolist") else getattr(fp, name)
                 for name in _FINGERPRINT_FIELDS)


def test_every_fingerprint_field_survives_save_and_open(tmp_path, seed_docs):
    import numpy as np

    from dedup.clustering import fingerprints
    from dedup.document import Document
    from dedup.fingerprint import _FINGERPRINT_FIELDS, _fingerprint_of_fields

    docs = [*seed_docs, Document(id="bare", text="")]  # no names, no keywords, no dates
    fps = list(fingerprints(docs))
    rng = np.random.default_rng(7)
    embedded = [_fingerprint_of_fields(*(getattr(fp, name) for name in _FINGERPRINT_FIELDS[:-1]), rng.standard_normal(384).astype(np.float16))
                for fp in fps]
    for name, stored in (("plain.idx", fps), ("embedded.idx", embedded)):
        index = ClusterIndex(tmp_path / name, ClusterConfig(), None, {fp.id: fp for fp in stored})
        index.save()
        reopened = ClusterIndex.open(tmp_path / name)
        assert [_fields(reopened._fps[fp.id]) for fp in sorted(stored, key=lambda f: f.id)] == [_fields(fp) for fp in sorted(stored, key=lambda f: f.id)]
    empty = ClusterIndex.open(tmp_path / "empty.idx")
    empty.save()
    assert len(ClusterIndex.open(tmp_path / "empty.idx")) == 0 and ClusterIndex.is_index(tmp_path / "empty.idx")


def test_a_format_1_index_still_opens_and_is_saved_as_format_2(tmp_path, seed_docs):
    import json
    import zipfile

    from dedup.index import alias_digest, _fp_to_json

    index = ClusterIndex.open(tmp_path / "new.idx")
    index.add(seed_docs)
    old = tmp_path / "old.idx"  # as the previous version wrote it: gzip'd JSON lines
    header = {"format": "dedup-cluster-index/1", "fingerprint": ClusterConfig().fingerprint_key(),
              "aliases": alias_digest(None),
              "count": len(index)}
    with gzip.open(old, "wt", encoding="utf-8") as fh:
        fh.write(json.dumps(header) + "\n")
        for key in index.ids():
            fh.write(json.dumps(_fp_to_json(index._fps[key])) + "\n")
    assert ClusterIndex.is_index(old)
    opened = ClusterIndex.open(old)
    assert [_fields(opened._fps[k]) for k in index.ids()] == [_fields(index._fps[k]) for k in index.ids()]
    assert [c.to_json() for c in opened.clusters()] == [c.to_json() for c in cluster(seed_docs)]
    opened.save()  # nothing changed: the file stays as it was
    assert not zipfile.is_zipfile(old) and ClusterIndex.open(old).clusters()[0].to_json() == opened.clusters()[0].to_json()
    opened.remove([index.ids()[0]])
    opened.save()
    assert zipfile.is_zipfile(old)
    assert json.loads(zipfile.ZipFile(old).read("header.json"))["format"] == "dedup-cluster-index/2"
    assert [c.to_json() for c in ClusterIndex.open(old).clusters()] == [c.to_json() for c in cluster(seed_docs[1:])]


def test_a_damaged_index_is_a_typed_error_that_says_to_rebuild(tmp_path, seed_docs):
    import zipfile

    path = tmp_path / "events.idx"
    index = ClusterIndex.open(path)
    index.add(seed_docs)
    index.save()
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    truncated = tmp_path / "truncated.idx"
    with zipfile.ZipFile(truncated, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data[: len(data) // 2] if name == "entity.words.u4" else data)
    with pytest.raises(DedupError, match=r"truncated.idx: corrupt cluster index \(ValueError: the entity columns do not hold 5 articles\); delete it to rebuild"):
        ClusterIndex.open(truncated)
    import numpy as np

    shuffled = tmp_path / "shuffled.idx"
    with zipfile.ZipFile(shuffled, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, np.frombuffer(data, "<u8")[::-1].tobytes() if name == "keyword.offsets.u8" else data)
    with pytest.raises(DedupError, match=r"corrupt cluster index \(ValueError: the keyword offsets do not run from 0 upwards\)"):
        ClusterIndex.open(shuffled)
    for cut_at in (-200, len(path.read_bytes()) // 2):  # the archive's directory gone; half the file gone
        cut = tmp_path / "cut.idx"
        cut.write_bytes(path.read_bytes()[:cut_at])
        assert ClusterIndex.is_index(cut)  # so that `xlate cluster cut.idx` does not read it as an article
        with pytest.raises(DedupError, match=r"cut.idx: corrupt or truncated cluster index \(.*\); delete it and add its articles again"):
            ClusterIndex.open(cut)


def test_one_updater_at_a_time_and_readers_need_no_lock(tmp_path, seed_docs):
    import threading

    from dedup.errors import IndexLockedError

    path = tmp_path / "events.idx"
    with ClusterIndex.open(path, lock=True) as first:
        first.add(seed_docs[:2])
        # Here the holder is this process (another process's lock: tests/test_cli.py).
        with pytest.raises(IndexLockedError, match=r"events.idx: this process already holds the index's update lock \(events.idx.lock\): "
                                                    r"an index opened with lock=True is still open; close\(\) it"):
            ClusterIndex.open(path, lock=True)
        first.save()
        assert len(ClusterIndex.open(path)) == 2  # a reader, while the lock is held
    with ClusterIndex.open(path, lock=True) as second:  # released at the end of the block
        second.add(seed_docs[2:3])
        second.save()
    held = ClusterIndex.open(path, lock=True)
    threading.Timer(0.3, held.close).start()
    with ClusterIndex.open(path, lock=True, wait=10) as waited:  # waits for the holder to close
        assert len(waited) == 3
    assert (tmp_path / "events.idx.lock").read_text() == ""  # the holder's process id is gone with it
    (tmp_path / "bad.idx").write_bytes(b"not an index")
    for _ in range(2):  # a failed open releases its lock: the second fails the same way, not as locked
        with pytest.raises(DedupError, match="is not a cluster index"):
            ClusterIndex.open(tmp_path / "bad.idx", lock=True)


def test_an_unchanged_index_is_not_written_again(tmp_path, seed_docs):
    path = tmp_path / "events.idx"
    index = ClusterIndex.open(path)
    index.add(seed_docs)
    index.save()
    stamp = path.stat().st_mtime_ns
    again = ClusterIndex.open(path)
    assert again.add(seed_docs) == (0, 0, 5) and again.remove(["absent"]) == ["absent"]
    again.save()
    assert path.stat().st_mtime_ns == stamp
    again.remove([seed_docs[0].id])
    again.save()
    assert len(ClusterIndex.open(path)) == 4


def test_remove_wants_a_list_of_ids(tmp_path, seed_docs):
    index = ClusterIndex.open(tmp_path / "x.idx")
    index.add(seed_docs[:1])
    with pytest.raises(ArticleTypeError, match=r"give a list of ids, not one string: remove\(\['000"):
        index.remove(seed_docs[0].id)
    assert index.remove([seed_docs[0].id]) == [] and len(index) == 0


def test_an_id_differing_only_in_case_from_an_indexed_one_is_refused(tmp_path, seed_docs):
    # One run over the union keeps the first of `Story` and `story`: the index must too.
    index = ClusterIndex.open(tmp_path / "events.idx")
    assert index.add({"Story": seed_docs[0].text}) == (1, 0, 0)
    refused: list = []
    assert index.add({"story": seed_docs[1].text, "other": seed_docs[2].text}, refused=refused) == (1, 0, 0)
    assert refused == [("story", "Story")] and index.ids() == ["Story", "other"]
    with pytest.warns(UserWarning, match=r"1 article ids differ only in case from indexed ids and were left out: 'STORY' \('Story' indexed\)"):
        index.add({"STORY": seed_docs[3].text})  # a caller that collects nothing is told
    assert index.add({"Story": seed_docs[1].text}).changed == 1  # the same id is replaced, as always


def test_an_interrupted_save_leaves_the_old_index_and_no_temporary_file(tmp_path, seed_docs, monkeypatch):
    import dedup.index

    path = tmp_path / "events.idx"
    with ClusterIndex.open(path, lock=True) as index:
        index.add(seed_docs[:2])
        index.save()
    before = path.read_bytes()

    def interrupted(raw, header, fps):
        raw.write(b"PK\x03\x04 half an archive")
        raise KeyboardInterrupt

    with ClusterIndex.open(path, lock=True) as index:
        index.add(seed_docs[2:])
        with monkeypatch.context() as patched:
            patched.setattr(dedup.index, "_write_columns", interrupted)
            with pytest.raises(KeyboardInterrupt):
                index.save()
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["events.idx", "events.idx.lock"]
    killed = tmp_path / ".events.idx.99999.tmp"  # what a SIGKILLed writer leaves
    killed.write_bytes(b"PK\x03\x04 half an archive")
    other = tmp_path / ".events.idx.2024.99998.tmp"  # another index's save, under its own lock: not ours
    other.write_bytes(b"PK\x03\x04 being written")
    ClusterIndex.open(path).save()  # a reader holds no lock: it cannot know the file is stale
    assert killed.exists()
    with ClusterIndex.open(path, lock=True) as index:
        index.save()  # nothing to write, but the update lock says no other save is under way
    assert not killed.exists() and other.exists() and path.read_bytes() == before


def test_a_glossary_mismatch_says_which_side_has_which(tmp_path, seed_docs):
    from dedup.errors import IncompatibleFingerprintError

    path = tmp_path / "events.idx"
    index = ClusterIndex.open(path)
    index.add(seed_docs[:1])
    index.save()
    with pytest.raises(IncompatibleFingerprintError,
                       match=r"made with no glossary, this run has a glossary of alias digest [0-9a-f]{16} .*use the index's glossary"):
        ClusterIndex.open(path, aliases={"Achgabat": "Ashgabat"})
