"""Property: whatever bytes a reader is given, it raises nothing but InputError."""

from __future__ import annotations

import gzip
import importlib.util
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.errors import InputError
from storyline.ingest import IngestReport, read_clusters, read_inputs

from .ingest_fixtures import ATOM, RDF, RSS2, article_page, build_warc, opml

#: the optional packages each kind needs (the core kinds need none)
NEEDS: dict[str, tuple[str, ...]] = {
    "rss": ("feedparser",),
    "rdf": ("feedparser",),
    "atom": ("feedparser",),
    "opml": ("feedparser",),
    "html": ("trafilatura",),
    "warc": ("warcio", "trafilatura"),
    "warc.gz": ("warcio", "trafilatura"),
}


def _available(kind: str) -> bool:
    try:
        return all(importlib.util.find_spec(m) is not None for m in NEEDS.get(kind, ()))
    except (ImportError, ValueError):
        return False


def _warc_bytes(compressed: bool) -> bytes:
    if not _available("warc"):
        return b""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a.warc"
        build_warc(path, gzip=compressed, pages=1)
        return path.read_bytes()


JSONL = (
    json.dumps({"id": "a", "title": "T", "text": "Body one.", "time": "2024-01-01"})
    + "\n"
    + json.dumps({"id": "b", "text": "Body two.", "url": "https://x.example/b"})
    + "\n"
).encode()
CLUSTERS = json.dumps({"id": "C", "articles": [{"id": "a", "text": "x"}, {"title": "y"}]}) + "\n"
SAMPLES: dict[str, tuple[str, bytes]] = {
    "text": ("p.txt", b"Headline One\n\nA sentence that ends.\nAnother line\n"),
    "jsonl": ("a.jsonl", JSONL),
    "jsonl.gz": ("a.jsonl.gz", gzip.compress(JSONL)),
    "clusters": ("c.jsonl", CLUSTERS.encode()),
    "json-array": (
        "e.json",
        json.dumps([json.loads(x) for x in JSONL.splitlines()], indent=1).encode(),
    ),
    "csv": ("t.csv", b'id,title,text,date\n1,"A, b",Body,2024-01-01\n2,B,"multi\nline",x\n'),
    "rss": ("f.rss", RSS2.encode()),
    "rdf": ("f.rdf", RDF.encode()),
    "atom": ("f.atom", ATOM.encode()),
    "opml": ("l.opml", opml(["f.rss", "https://remote.example/f"]).encode()),
    "html": ("p.html", article_page().encode()),
    "warc": ("a.warc", _warc_bytes(False)),
    "warc.gz": ("a.warc.gz", _warc_bytes(True)),
}
FORMAT_OF = {"json-array": "jsonl", "jsonl.gz": "jsonl", "rdf": "rss", "warc.gz": "warc"}


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with some bytes replaced, a slice inserted or removed, maybe truncated."""
    out = bytearray(data)
    for _ in range(draw(st.integers(0, 8))):
        if not out:
            break
        i = draw(st.integers(0, len(out) - 1))
        out[i] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        i = draw(st.integers(0, len(out)))
        out[i:i] = draw(st.binary(max_size=64))
    if out and draw(st.booleans()):
        i = draw(st.integers(0, len(out) - 1))
        del out[i : i + draw(st.integers(1, 256))]
    if draw(st.booleans()):
        out = out[: draw(st.integers(0, len(out)))]
    return bytes(out)


def _check(name: str, fmt: str | None, blob: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(blob)
        (Path(tmp) / "f.rss").write_bytes(RSS2.encode())  # for the OPML sample
        report = IngestReport()
        try:
            for article in read_inputs([path], fmt=fmt, report=report):
                assert article.id and (article.title or article.text)
            if fmt == "clusters":
                list(read_clusters(path, report))
        except InputError:
            pass


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_mutated_inputs_never_raise(kind: str) -> None:
    for module in NEEDS.get(kind, ()):
        pytest.importorskip(module)
    name, sample = SAMPLES[kind]
    fmt = FORMAT_OF.get(kind, kind)

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(blob=mutated(sample), detect=st.booleans())
    def run(blob: bytes, detect: bool) -> None:
        _check(name, None if detect else fmt, blob)

    run()


@settings(max_examples=60, deadline=None)
@given(blob=st.binary(max_size=512), kind=st.sampled_from([k for k in SAMPLES if _available(k)]))
def test_random_bytes_never_raise(blob: bytes, kind: str) -> None:
    name, _ = SAMPLES[kind]
    _check(name, FORMAT_OF.get(kind, kind), blob)
