"""Text piles: items per line or paragraph, headlines vs sentences, stable ids, origins."""

from __future__ import annotations

from pathlib import Path

from storyline.config import IngestSettings
from storyline.ingest import IngestReport, read_inputs

PILE = """\
Harbour Bridge Closed After Ferry Collision

A ferry struck a pillar of the harbour bridge early on Tuesday, officials said.

The city council said the bridge would stay closed
until engineers had inspected the damaged pillar, and
that traffic would be diverted through the tunnel.

Ferry captain questioned by police
Storm warnings issued for the northern coast
* * *
"""


def _read(path: Path, **kw: object) -> tuple[list, IngestReport]:
    report = IngestReport()
    return list(read_inputs([path], report=report, **kw)), report  # type: ignore[arg-type]


def test_pile_items_headlines_and_sentences(tmp_path: Path) -> None:
    path = tmp_path / "pile.txt"
    path.write_text(PILE, encoding="utf-8")
    articles, report = _read(path)
    assert [a.title for a in articles] == [
        "Harbour Bridge Closed After Ferry Collision",
        "",
        "",
        "Ferry captain questioned by police",
        "Storm warnings issued for the northern coast",
    ]
    assert articles[1].text == (
        "A ferry struck a pillar of the harbour bridge early on Tuesday, officials said."
    )
    # the wrapped paragraph is one item, joined with single spaces
    assert articles[2].text.startswith("The city council said the bridge would stay closed until")
    assert articles[2].text.endswith("diverted through the tunnel.")
    assert [a.origin.rsplit(":", 1)[1] for a in articles] == ["1", "3", "5", "9", "10"]
    assert all(a.time is None and a.source == "" for a in articles)
    # the separator line is skipped with a reason, nothing else
    assert report.read == 5
    assert report.skipped == {"empty record": 1}
    assert report.problems[0].where.endswith("pile.txt:11")


def test_ids_are_content_based_and_stable(tmp_path: Path) -> None:
    path = tmp_path / "pile.txt"
    path.write_text(PILE, encoding="utf-8")
    first = [a.id for a in _read(path)[0]]
    again = [a.id for a in _read(path)[0]]
    assert first == again
    assert all(i.startswith("t-") for i in first)
    # the same item elsewhere in another file has the same id
    other = tmp_path / "other.txt"
    other.write_text("Storm warnings issued for the northern coast\n", encoding="utf-8")
    assert _read(other)[0][0].id == first[-1]


def test_repeated_items_get_unique_ids(tmp_path: Path) -> None:
    path = tmp_path / "dups.txt"
    path.write_text("Rockets hit airbase\n\nRockets hit airbase\n\nrockets HIT airbase!\n")
    articles, _ = _read(path)
    ids = [a.id for a in articles]
    assert len(set(ids)) == 3
    assert ids[1] == f"{ids[0]}-2" and ids[2] == f"{ids[0]}-3"


def test_long_and_punctuated_items_are_text(tmp_path: Path) -> None:
    long_line = " ".join(["word"] * 30)
    path = tmp_path / "p.txt"
    path.write_text(
        f"{long_line}\n\nEarlier, the base was used by the army.\n\n"
        "Who Got Snubbed In The List Of Nominees?\n"
    )
    articles, _ = _read(path)
    assert articles[0].text == long_line and not articles[0].title
    assert articles[1].text and not articles[1].title
    assert articles[2].title == "Who Got Snubbed In The List Of Nominees?"


def test_headline_max_words_setting(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text("Parliament votes on the budget after a long night of talks\n")
    assert _read(path)[0][0].title
    articles, _ = _read(path, settings=IngestSettings(headline_max_words=5))
    assert articles[0].text and not articles[0].title


def test_sentence_per_line_without_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    lines = [f"Item number {i} reports a new event in the city today." for i in range(2500)]
    path.write_text("\n".join(lines) + "\n")
    articles, report = _read(path)
    assert len(articles) == 2500 and report.read == 2500
    assert articles[-1].origin.endswith(":2500")


WRAPPED = """\
The attack on the harbour came on 8 January, just hours after the Defence
Secretary Mark Ellis warned the President that he should expect
retaliation over the sinking of the patrol boat in a raid on the port
last week. The sprawling complex in the western province is shared with
the navy.
Navy Says Raid Was A Warning
Ferry captain questioned by police
"""


def test_wrapped_prose_then_headlines_in_one_block(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.txt"
    path.write_text(WRAPPED, encoding="utf-8")
    articles, _ = _read(path)
    assert [a.origin.rsplit(":", 1)[1] for a in articles] == ["1", "6", "7"]
    assert articles[0].text.startswith("The attack on the harbour came on 8 January, just hours")
    assert "Secretary Mark Ellis warned" in articles[0].text  # joined across an upper-case line
    assert articles[0].text.endswith("is shared with the navy.")
    assert [a.title for a in articles[1:]] == [
        "Navy Says Raid Was A Warning",
        "Ferry captain questioned by police",
    ]


def test_hyphenated_word_across_lines(tmp_path: Path) -> None:
    path = tmp_path / "h.txt"
    path.write_text("The inspectors said that the dam had been well-\nkept for many years.\n")
    [article], _ = _read(path)
    # joined without a space; the hyphen stays (a compound cannot be told from a split word)
    assert article.text == "The inspectors said that the dam had been well-kept for many years."
