"""The reader on the files scrapers really leave behind."""
import io
import json

import pytest

from dedup import CorpusReadError, read_corpus
from dedup.encoding import decode_bytes

FRENCH = "Le 27 mars à Achgabat, « réunion » — l’UE. Ça coûte 5 €.\nDeuxième ligne élève."


@pytest.mark.parametrize(
    "data, encoding",
    [
        (FRENCH.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + FRENCH.encode("utf-8"), "utf-8"),
        (FRENCH.replace("\n", "\r\n").encode("utf-8"), "utf-8"),
        (FRENCH.encode("utf-16"), "utf-16-le"),  # with BOM
        (FRENCH.encode("utf-16-le"), "utf-16-le"),  # without BOM
        (FRENCH.encode("utf-16-be"), "utf-16-be"),
        (FRENCH.encode("cp1252"), "cp1252"),
        (FRENCH.replace("’", "'").replace("—", "-").replace("€", "EUR").encode("latin-1"), "cp1252"),
    ],
)
def test_decode_detects_encoding_and_normalises_newlines(data, encoding):
    text, found = decode_bytes(data)
    assert found == encoding
    assert "\r" not in text
    assert "Achgabat" in text and "élève" in text


@pytest.mark.parametrize("text", ["L'été déjà là, voilà.", "Où était-il déjà ?", "Ça a été ré-élu."])
def test_a_short_accented_cp1252_line_is_read(text):
    # A short line can be a third accented letters (it was refused as undecodable).
    assert decode_bytes(text.encode("cp1252")) == (text, "cp1252")


def test_cp1251_with_latin_brand_names_is_not_mistaken_for_cp1252():
    text = ("Компания Apple представила новый iPhone 16 Pro Max на презентации в Cupertino, California. "
            "Apple Intelligence, iOS 18, macOS Sequoia и watchOS 11 выйдут осенью.")
    assert decode_bytes(text.encode("cp1251")) == (text, "cp1251")


def test_decode_cp1251_is_not_mistaken_for_cp1252():
    text, found = decode_bytes("Москва: министр иностранных дел России встретился с коллегами.".encode("cp1251"))
    assert found == "cp1251" and text.startswith("Москва")


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 40, bytes(range(256)) * 8])
def test_decode_refuses_binary(data):
    with pytest.raises(CorpusReadError, match="binary"):
        decode_bytes(data, "x.txt")


@pytest.mark.parametrize(
    "text, binary",
    [
        ("a" * 1000 + "\f\v\t", False),  # whitespace controls are text
        ("a" * 1000 + "\x1b" * 5, False),  # a few stray escapes in a long text: up to 1 in 200
        ("a" * 1000 + "\x1b" * 6, True),
        ("\x7f\x7f" + "a" * 10, False),  # two are always tolerated
        ("\x7f\x7f\x01" + "a" * 10, True),
        ("a" * 9000 + "\x1b" * 50, False),  # only the first 8,192 characters are looked at
    ],
)
def test_decode_tolerates_stray_control_characters_but_not_many(text, binary):
    if binary:
        with pytest.raises(CorpusReadError, match="binary content"):
            decode_bytes(text.encode("utf-8"), "x.txt")
    else:
        assert decode_bytes(text.encode("utf-8"), "x.txt")[0] == text


@pytest.fixture
def nasty_corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "site-a").mkdir(parents=True)
    (root / "good.txt").write_text(FRENCH, encoding="utf-8")
    (root / "bom.txt").write_bytes(b"\xef\xbb\xbf" + FRENCH.replace("\n", "\r\n").encode("utf-8"))
    (root / "site-a" / "cp.txt").write_bytes(FRENCH.encode("cp1252"))
    (root / "site-a" / "u16.md").write_bytes(FRENCH.encode("utf-16"))
    (root / "empty.txt").write_text("  \n\n", encoding="utf-8")
    (root / "binary.txt").write_bytes(b"\x00\x01\x02\x03" * 100)
    (root / "huge.txt").write_text("mot " * 3000, encoding="utf-8")
    (root / "image.png").write_bytes(b"\x89PNG")  # not an article: passed over
    (root / "README.md").write_text("corpus notes", encoding="utf-8")  # the corpus's own docs
    (root / ".hidden.txt").write_text(FRENCH, encoding="utf-8")
    lines = [
        json.dumps({"id": "j1", "text": "Premier article.", "title": "T1", "lang": "fr", "source": "lemonde"}),
        "{not json",
        json.dumps({"id": "j2"}),
        json.dumps(["a", "list"]),
        "",
        json.dumps({"id": "j3", "text": "Troisième.", "url": "https://x.example/3"}),
        json.dumps({"id": "j1", "text": "duplicate id"}),
    ]
    (root / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_corpus_reads_good_files_and_reports_each_bad_one(nasty_corpus):
    errors = []
    docs = list(read_corpus(nasty_corpus, max_bytes=5000, on_error=errors.append))
    assert [d.id for d in docs] == ["bom", "j1", "j3", "good", "site-a/cp", "site-a/u16"]
    by_id = {d.id: d for d in docs}
    assert by_id["bom"].text == by_id["good"].text == by_id["site-a/cp"].text == by_id["site-a/u16"].text
    assert by_id["site-a/cp"].meta["encoding"] == "cp1252" and by_id["site-a/cp"].source == "site-a"
    assert by_id["j1"].title == "T1" and by_id["j1"].lang == "fr" and by_id["j1"].source == "lemonde"
    assert by_id["j3"].url == "https://x.example/3" and by_id["j3"].path == "feed.jsonl:6"
    failed = sorted((e.path, e.line) for e in errors)
    assert failed == [("binary.txt", None), ("empty.txt", None), ("feed.jsonl", 2), ("feed.jsonl", 3), ("feed.jsonl", 4),
                      ("feed.jsonl:7", None), ("huge.txt", None)]
    reasons = {(e.path, e.line): e.reason for e in errors}
    assert "over the 5000-byte limit" in reasons[("huge.txt", None)] and "--max-bytes" in reasons[("huge.txt", None)]
    assert "malformed JSON" in reasons[("feed.jsonl", 2)]
    assert '"text"' in reasons[("feed.jsonl", 3)]
    assert reasons[("feed.jsonl:7", None)] == ("duplicate article id 'j1' (also feed.jsonl:1, read first); "
                                               "rename one of the files or fix the JSONL id")


def test_ids_that_differ_only_in_case_are_one_id(tmp_path):
    # Story.txt and story.txt would write one OUT/articles/story.jsonl on macOS and Windows:
    # the first read is kept on every platform, the other is listed with the fix.
    (tmp_path / "Story.txt").write_text("Titre\nPremier texte.\n", encoding="utf-8")
    (tmp_path / "story.txt").write_text("Titre\nSecond texte.\n", encoding="utf-8")
    (tmp_path / "feed.jsonl").write_text('{"id": "STORY", "text": "x"}\n{"id": "other", "text": "y"}\n', encoding="utf-8")
    errors = []
    docs = list(read_corpus(tmp_path, on_error=errors.append))
    assert [d.id for d in docs] == ["Story", "other"]
    fix = "and they would share one output file on macOS and Windows; rename one of the files or fix the JSONL id"
    assert [(e.path, e.reason) for e in errors] == [
        ("feed.jsonl:1", f"article id 'STORY' differs only in case from 'Story' (Story.txt, read first), {fix}"),
        ("story.txt", f"article id 'story' differs only in case from 'Story' (Story.txt, read first), {fix}"),
    ]


def test_without_handler_the_first_bad_input_raises(nasty_corpus):
    with pytest.raises(CorpusReadError):
        list(read_corpus(nasty_corpus))


def test_missing_corpus_is_a_clear_error(tmp_path):
    with pytest.raises(CorpusReadError, match="no such file or folder"):
        list(read_corpus(tmp_path / "nope"))


def test_output_folders_inside_a_corpus_are_not_read(tmp_path):
    from dedup.reader import OUTPUT_FOLDER_MARKERS
    from xlate.report.build import MARKER

    assert MARKER in OUTPUT_FOLDER_MARKERS  # a report's folder is passed over too
    corpus = tmp_path / "feeds"
    for name in ("a.txt", "out/cleaned/a.txt", "out/errors.jsonl", "site/index.html", "sub/b.txt"):
        (corpus / name).parent.mkdir(parents=True, exist_ok=True)
        (corpus / name).write_text("Un article de presse.", encoding="utf-8")
    (corpus / "out" / ".xlate-out").write_text("", encoding="utf-8")
    (corpus / "site" / MARKER).write_text("", encoding="utf-8")
    assert [d.id for d in read_corpus(corpus)] == ["a", "sub/b"]
    with pytest.raises(CorpusReadError, match=r"is an output folder \(it holds \.xlate-out\), not a corpus"):
        list(read_corpus(corpus / "out"))


def test_stdin_jsonl_with_bom():
    stream = io.BytesIO(b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": "Bonjour."}).encode() + b"\n")
    docs = list(read_corpus("-", stdin=stream))
    assert [(d.id, d.text, d.path) for d in docs] == [("a", "Bonjour.", "<stdin>:1")]


def test_reading_streams_one_file_at_a_time(tmp_path):
    for i in range(50):
        (tmp_path / f"{i:03d}.txt").write_text(f"article {i}", encoding="utf-8")
    stream = read_corpus(tmp_path)
    first = next(stream)  # a generator: nothing beyond the first file has been read yet
    assert first.id == "000" and stream.gi_frame is not None


def test_seed_ids_are_relative_paths_without_extension():
    ids = [d.id for d in read_corpus("seeds")]
    assert ids == ["000_2c8e8df7cb3b87a9", "001_23f5b63505be1cca", "002_3e9d996f7f80b2c1", "003_87b471760b4ba742", "004_2b6e7e64f5042d25"]


@pytest.mark.parametrize("value, expected", [
    ("2025-04-25", "2025-04-25"),
    ("2025-04-25T10:00:00+02:00", "2025-04-25T10:00:00+02:00"),  # ISO kept as given
    ("2025-04-25 10:00", "2025-04-25 10:00"),
    ("25/04/2025", "2025-04-25"),
    ("03/04/2025", "2025-04-03"),  # day first, as the README says: European feeds
    ("04/25/2025", None),  # a US month-first date is no day-first date: refused, not guessed
    ("April 25, 2025", "2025-04-25"),
    ("Fri, 25 Apr 2025 10:00:00 GMT", "2025-04-25"),  # RSS
    ("25 avril 2025", "2025-04-25"),
    ("2025-02-30", None),  # not a calendar day
    ("2025", None),  # a year is not a day
    ("hier", None),
    ("du 2 au 5 mai 2025, puis le 9 mai 2025", None),  # two dates: which one?
])
def test_publication_date_accepts_iso_and_spelled_dates(value, expected):
    from dedup.reader import publication_date

    assert publication_date(value) == expected


def test_jsonl_bad_publication_date_is_listed_and_the_article_kept():
    lines = [{"id": "a", "text": "Bonjour.", "published": "Fri, 25 Apr 2025 10:00:00 GMT"},
             {"id": "b", "text": "Salut.", "published": "la semaine dernière"}]
    stream = io.BytesIO("".join(json.dumps(x) + "\n" for x in lines).encode())
    errors = []
    docs = list(read_corpus("-", stdin=stream, on_error=errors.append))
    assert [(d.id, d.published) for d in docs] == [("a", "2025-04-25"), ("b", None)]
    assert [str(e) for e in errors] == [
        "<stdin>:2: \"published\" 'la semaine dernière' is not a date; give YYYY-MM-DD (the article is read without it)"]


@pytest.mark.parametrize("bad_id", ["../x", "/etc/x", "site//x", "./x", "site/.."])
def test_jsonl_ids_that_would_leave_the_output_folder_are_listed_and_the_rest_read(bad_id):
    lines = [{"id": bad_id, "text": "Bonjour."}, {"id": "site/b", "text": "Salut."}]
    stream = io.BytesIO("".join(json.dumps(x) + "\n" for x in lines).encode())
    errors = []
    assert [d.id for d in read_corpus("-", stdin=stream, on_error=errors.append)] == ["site/b"]
    assert [str(e) for e in errors] == [
        f"<stdin>:1: article id {bad_id!r} has an empty, '.' or '..' path component; use plain names such as 'site/story-1'"]


def test_jsonl_fields_that_are_not_strings_are_listed_and_the_article_kept():
    stream = io.BytesIO(b'{"id": "a", "text": "Bonjour.", "title": ["x"], "lang": "fr", "source": 7}\n')
    errors = []
    (doc,) = read_corpus("-", stdin=stream, on_error=errors.append)
    assert (doc.title, doc.lang, doc.source) == (None, "fr", "7")
    assert [str(e) for e in errors] == [
        '<stdin>:1: "title" is a list, not a string; give a string (the article is read without it)']


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_jsonl_with_its_byte_order_mark_reads_as_utf8_does(tmp_path, encoding):
    text = "".join(json.dumps(x, ensure_ascii=False) + "\n" for x in
                   [{"id": "a", "text": "Réunion à Achgabat."}, {"id": "b", "text": "Deuxième ligne."}])
    (tmp_path / "u8.jsonl").write_bytes(text.encode("utf-8"))
    bom = {"utf-16": b"", "utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff"}[encoding]
    (tmp_path / "u16.jsonl").write_bytes(bom + text.encode(encoding))  # PowerShell's `> feed.jsonl`
    errors = []
    read = [(d.id, d.text) for d in read_corpus(tmp_path / "u16.jsonl", on_error=errors.append)]
    assert errors == [] and read == [(d.id, d.text) for d in read_corpus(tmp_path / "u8.jsonl")]
