"""Files and folders: detection, gzip, encodings, binary/empty/truncated files, missing paths."""

from __future__ import annotations

import gzip
import json
import zlib
from pathlib import Path

import pytest

from storyline.config import IngestSettings
from storyline.errors import InputError
from storyline.ingest import FORMATS, IngestReport, detect_format, read_inputs

ARTICLE = {"id": "x1", "title": "Bridge reopens", "text": "Traffic flows again."}
CLUSTER = {"id": "K", "articles": [ARTICLE]}


def _read(*paths: Path, **kw: object) -> tuple[list, IngestReport]:
    report = IngestReport()
    return list(read_inputs(list(paths), report=report, **kw)), report  # type: ignore[arg-type]


def test_formats_tuple() -> None:
    assert FORMATS[:4] == ("text", "jsonl", "clusters", "csv")
    assert set(FORMATS[4:]) == {"rss", "atom", "opml", "html", "warc"}


def test_detection_by_suffix_and_content(tmp_path: Path) -> None:
    cases = {
        "a.jsonl": json.dumps(ARTICLE),
        "b.json": json.dumps(CLUSTER),
        "c.csv": "title,text\nA,B\n",
        "d.txt": "A headline\n",
        "e.txt": json.dumps(ARTICLE),  # content wins over a .txt name when it is a JSON object
        "noext": json.dumps(CLUSTER),
        "table.dat": "headline;url\nX;y\n",
        "notes": "Just some prose, {not json}.\n",
    }
    expected = {
        "a.jsonl": "jsonl",
        "b.json": "clusters",
        "c.csv": "csv",
        "d.txt": "text",
        "e.txt": "jsonl",
        "noext": "clusters",
        "table.dat": "csv",
        "notes": "text",
    }
    for name, content in cases.items():
        (tmp_path / name).write_text(content + "\n")
        assert detect_format(tmp_path / name) == expected[name], name


def test_gzip_detected_by_magic_not_name(tmp_path: Path) -> None:
    for name in ("a.jsonl.gz", "misnamed.txt", "plain-name"):
        with gzip.open(tmp_path / name, "wt") as fh:
            fh.write(json.dumps(CLUSTER) + "\n")
        assert detect_format(tmp_path / name) == "clusters", name
        articles, report = _read(tmp_path / name)
        assert [a.cluster for a in articles] == ["K"], name
        assert report.total_skipped == 0


def test_fmt_overrides_detection(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(ARTICLE) + "\n")
    articles, _ = _read(path, fmt="text")
    assert len(articles) == 1 and articles[0].title.startswith('{"id"')
    with pytest.raises(InputError, match="unknown input format"):
        read_inputs([path], fmt="xml")


def test_missing_path_raises_before_reading(tmp_path: Path) -> None:
    good = tmp_path / "a.txt"
    good.write_text("Hello world\n")
    with pytest.raises(InputError, match=r"nope\.jsonl: no such file or directory"):
        read_inputs([good, tmp_path / "nope.jsonl"])
    with pytest.raises(InputError):
        detect_format(tmp_path / "nope.jsonl")


def test_folder_mixed_files_sorted_hidden_skipped(tmp_path: Path) -> None:
    (tmp_path / "b.jsonl").write_text(json.dumps({"id": "j", "text": "From JSON."}) + "\n")
    (tmp_path / "a.txt").write_text("From text\n")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "c.csv").write_text("title\nFrom CSV\n")
    with gzip.open(sub / "d.jsonl.gz", "wt") as fh:
        fh.write(json.dumps({"id": "g", "text": "From gzip."}) + "\n")
    (sub / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (sub / "junk.bin.txt").write_bytes(bytes(range(256)) * 8)
    (tmp_path / ".hidden.txt").write_text("Should not be read\n")
    hidden = tmp_path / ".git"
    hidden.mkdir()
    (hidden / "x.txt").write_text("Nor this\n")
    (tmp_path / "empty.txt").write_text("")
    articles, report = _read(tmp_path)
    assert [a.title or a.text for a in articles] == [
        "From text",
        "From JSON.",
        "From CSV",
        "From gzip.",
    ]
    assert report.skipped == {"unsupported file type": 1, "binary file": 1, "empty file": 1}
    assert [Path(f.path).name for f in report.files] == [
        "a.txt",
        "b.jsonl",
        "empty.txt",
        "c.csv",
        "d.jsonl.gz",
        "image.png",
        "junk.bin.txt",
    ]
    assert [f.format for f in report.files][:5] == ["text", "jsonl", "text", "csv", "jsonl"]
    assert "from 7 files" in report.summary()


def test_binary_file_named_explicitly(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(b"\x00\x01\x02\x03garbage\x00" * 500)
    articles, report = _read(path)
    assert articles == []
    assert report.skipped == {"binary file": 1}
    assert report.problems[0].where == str(path)


def test_empty_and_blank_files(tmp_path: Path) -> None:
    for name, content in (("e.jsonl", ""), ("b.txt", "\n\n   \n"), ("e.csv", "")):
        (tmp_path / name).write_text(content)
    with gzip.open(tmp_path / "z.jsonl.gz", "wt") as fh:
        fh.write("")
    articles, report = _read(*sorted(tmp_path.iterdir()))
    assert articles == []
    assert report.skipped == {"empty file": 4}


def test_truncated_gzip_keeps_what_was_read(tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"n{i}", "text": f"Record number {i} " * 20}) for i in range(3000)]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    articles, report = _read(path)
    # every line that can be decompressed from the broken file comes through
    readable = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[: len(data) // 2])
    complete = readable.count(b"\n")
    assert len(articles) == complete and 100 < complete < 3000
    assert [a.id for a in articles] == [f"n{i}" for i in range(len(articles))]
    assert report.skipped["truncated gzip"] == 1
    # the last, half-decompressed line may be reported as invalid JSON; nothing else is lost
    assert set(report.skipped) <= {"truncated gzip", "invalid JSON"}


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [
        ("utf-8", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("utf-16", b""),
        ("utf-16-le", b""),
        ("utf-16-be", b""),
    ],
)
def test_unicode_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    text = "title,text\nCafé déjà vu,Zürich – “quoted” ✓\n"
    path = tmp_path / "u.csv"
    path.write_bytes(bom + text.encode(encoding))
    articles, report = _read(path)
    assert [(a.title, a.text) for a in articles] == [("Café déjà vu", "Zürich – “quoted” ✓")]
    assert report.total_warnings == 0 and report.total_skipped == 0


def test_cp1252_fallback_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "old.txt"
    path.write_bytes(
        "Plain ASCII headline\n\nCafé “quotes” – dash\n".encode("cp1252") + b"Odd byte \x81 here\n"
    )
    articles, report = _read(path)
    assert [a.title for a in articles] == [
        "Plain ASCII headline",
        "Café “quotes” – dash",
        "Odd byte \x81 here",
    ]
    assert report.warned == {"not UTF-8": 1}
    assert report.problems[0].where == f"{path}:3"
    assert "2 line(s)" in report.problems[0].reason


def test_overlong_text_line_is_cut_with_warning(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("Before\n\n" + "word " * 5000 + "\n\nAfter\n")
    settings = IngestSettings(max_record_chars=1000)
    articles, report = _read(path, settings=settings)
    assert [a.title for a in articles] == ["Before", "", "After"]
    assert len(articles[1].text) <= 1000
    assert report.warned == {"truncated": 1}


def test_a_file_named_twice_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(ARTICLE) + "\n")
    articles, report = _read(path, tmp_path, tmp_path / "." / "a.jsonl")
    assert [a.id for a in articles] == ["x1"] and len(report.files) == 1


def test_ids_unique_across_files_in_one_read(tmp_path: Path) -> None:
    a = tmp_path / "a.jsonl"
    a.write_text(json.dumps(ARTICLE) + "\n")
    b = tmp_path / "b.jsonl"
    b.write_text(json.dumps(ARTICLE) + "\n")
    articles, _ = _read(a, b)
    assert [x.id for x in articles] == ["x1", "x1~2"]


def test_classic_mac_line_endings(tmp_path: Path) -> None:
    path = tmp_path / "mac.csv"
    path.write_bytes(b"title,text\rFirst,One.\rSecond,Two.\r")
    assert [a.title for a in _read(path)[0]] == ["First", "Second"]
    pile = tmp_path / "mac.txt"
    pile.write_bytes(b"Headline one\r\rA sentence that ends.\r")
    assert [a.title or a.text for a in _read(pile)[0]] == ["Headline one", "A sentence that ends."]


def test_report_as_json(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(ARTICLE) + "\nnot json\n")
    _, report = _read(path)
    data = json.loads(json.dumps(report.as_dict()))
    assert data["read"] == 1 and data["skipped"] == {"invalid JSON": 1}
    assert data["files"] == [
        {"path": str(path), "format": "jsonl", "read": 1, "skipped": 1, "warnings": 0}
    ]
    assert data["problems"][0]["where"] == f"{path}:2"
