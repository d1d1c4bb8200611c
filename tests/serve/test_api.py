"""The JSON API and HTML pages over a real store built by the real pipeline (FastAPI TestClient)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from storyline.store import Store


def _story_id(client: Any, article_id: str) -> str:
    for story in client.get("/api/stories", params={"per_page": 100}).json()["stories"]:
        detail = client.get(f"/api/stories/{story['id']}").json()
        ids = {a["id"] for g in detail["groups"] for a in g["articles"]}
        if article_id in ids:
            return str(story["id"])
    raise AssertionError(f"{article_id} in no story")


def test_front_page_json_ranks_by_score(client: Any) -> None:
    body = client.get("/api/stories").json()
    stories = body["stories"]
    assert len(stories) == body["page"]["total"] == 2
    scores = [s["score"] for s in stories]
    assert scores == sorted(scores, reverse=True)
    bridge = next(s for s in stories if "bridge" in s["headline"].lower())
    assert bridge["sources"] >= 3 and bridge["size"] >= 4
    assert bridge["lede"] and bridge["lede"] in client.get(f"/api/stories/{bridge['id']}").text
    assert [d["day"] for d in bridge["days"]] == ["2025-05-01", "2025-05-02"]
    assert sum(d["count"] for d in bridge["days"]) == bridge["size"]
    assert body["reference"].startswith("2025-05-03")


def test_front_page_pagination(client: Any) -> None:
    first = client.get("/api/stories", params={"per_page": 1}).json()
    second = client.get("/api/stories", params={"per_page": 1, "page": 2}).json()
    assert first["page"]["pages"] == 2 and second["page"]["page"] == 2
    assert first["stories"][0]["id"] != second["stories"][0]["id"]
    html = client.get("/?page=1").text
    assert "page 1 of" not in html  # 2 stories fit on one page of 20: no pager
    assert client.get("/api/stories", params={"page": 0}).status_code == 422


def test_story_json_has_provenance_duplicates_off_topic_and_extras(client: Any) -> None:
    story_id = _story_id(client, "br-1")
    story = client.get(f"/api/stories/{story_id}").json()
    listed = {a["id"]: a for g in story["groups"] for a in g["articles"]}
    copies = {c["id"]: a["id"] for a in listed.values() for c in a["copies"]}
    assert copies == {"br-3-copy": "br-3"}  # the near-duplicate is folded, not listed
    assert [a["id"] for a in story["off_topic"]] == ["salad"]
    cited = {r["id"] for s in story["sentences"] for r in s["articles"]}
    assert cited and cited <= set(listed) | set(copies)
    for s in story["sentences"]:
        for ref in s["articles"]:
            if ref["id"] in listed:
                assert ref["number"] is not None and ref["source"] == listed[ref["id"]]["source"]
    assert [g["source"] for g in story["groups"]] == sorted(g["source"] for g in story["groups"])
    assert [t["date"] for t in story["timeline"]] == ["2025-05-01", "2025-05-02"]
    assert {e["name"] for e in story["entities"]} >= {"Dana Moss", "Riverton"}
    claim = story["disagreements"][0]["claims"][1]
    assert claim["value"] == "45,000" and claim["text"].startswith("The bridge carries")
    assert [r["id"] for r in claim["articles"]] == ["br-3"]
    sibling = story["siblings"][0]
    assert "library" in sibling["headline"].lower()
    assert client.get("/api/stories/nope").status_code == 404


def test_story_page_html(client: Any) -> None:
    story_id = _story_id(client, "br-1")
    html = client.get(f"/stories/{story_id}").text
    for section in ("Summary", "Timeline", "Where sources disagree", "Articles by source",
                    "Set aside as off-topic", "Storyline", "People, places and organisations"):
        assert section in html
    assert 'href="#a-br-1"' in html and 'id="a-br-1"' in html  # sentence -> its article
    assert 'id="a-br-3-copy"' in html and "near-duplicate" in html
    assert 'href="https://post.example/bridge-1"' in html
    assert 'href="/sources/Riverton%20Post"' in html
    assert 'href="/entities/Dana%20Moss"' in html
    assert "<svg class=\"spark\"" in html
    assert client.get("/stories/nope").status_code == 404


def test_search_highlights_filters_and_paginates(client: Any) -> None:
    body = client.get("/api/search", params={"q": "corroded cables"}).json()
    ids = [a["id"] for a in body["articles"]]
    assert "br-1" in ids and "br-3-copy" not in ids  # near-duplicates are left out
    hit_words = {s["text"].lower() for a in body["articles"] for s in a["snippet"] if s["hit"]}
    assert hit_words <= {"corroded", "cables"} and hit_words
    assert body["stories"] and "bridge" in "".join(
        s["text"] for s in body["stories"][0]["headline"]).lower()

    only_radio = client.get("/api/search", params={"q": "library", "source": "State Radio"})
    assert {a["source"] for a in only_radio.json()["articles"]} == {"State Radio"}
    dated = client.get("/api/search", params={"q": "bridge", "since": "2025-05-02",
                                              "until": "2025-05-02"}).json()
    assert dated["articles"] and all(a["time"].startswith("2025-05-02")
                                     for a in dated["articles"])
    by_entity = client.get("/api/search", params={"q": "fire OR bridge", "entity": "dana moss"})
    assert by_entity.json()["articles"] == []  # all words required: 'fire' is not in the bridge
    by_entity = client.get("/api/search", params={"q": "bridge", "entity": "dana moss"}).json()
    assert by_entity["articles"] and all(a["id"].startswith("br") for a in by_entity["articles"])

    paged = client.get("/api/search", params={"q": "the", "per_page": 2}).json()
    assert paged["page"]["pages"] >= 3 and len(paged["articles"]) == 2
    page2 = client.get("/api/search", params={"q": "the", "per_page": 2, "page": 2}).json()
    assert not {a["id"] for a in paged["articles"]} & {a["id"] for a in page2["articles"]}
    assert page2["stories"] == []  # story hits are on the first page only

    browse = client.get("/api/search", params={"source": "Valley Herald"}).json()
    assert {a["source"] for a in browse["articles"]} == {"Valley Herald"}


@pytest.mark.parametrize("q", ['"unbalanced', "bridge AND (", "NEAR(", "*", "-", "a:b", "^x"])
def test_search_never_fails_on_odd_input(client: Any, q: str) -> None:
    assert client.get("/api/search", params={"q": q}).status_code == 200
    assert client.get("/search", params={"q": q}).status_code == 200


def test_bad_dates_are_a_clear_400(client: Any) -> None:
    r = client.get("/api/search", params={"q": "bridge", "since": "last week"})
    assert r.status_code == 400 and "YYYY-MM-DD" in r.json()["detail"]
    assert client.get("/search", params={"q": "bridge", "since": ""}).status_code == 200


def test_source_and_entity_pages(client: Any) -> None:
    radio = client.get("/api/sources/State Radio").json()
    assert radio["articles"] == 2 and len(radio["stories"]) == 2
    assert all(s["matched"] == 1 for s in radio["stories"])
    assert "State Radio" in client.get("/sources/State%20Radio").text
    assert client.get("/api/sources/Nobody").status_code == 404
    names = [s["name"] for s in client.get("/api/sources").json()["sources"]]
    assert "Valley Herald" in names and "" not in names

    moss = client.get("/api/entities/dana moss").json()  # case-insensitive
    assert moss["name"] == "Dana Moss" and moss["labels"] == ["PERSON"]
    assert [s["matched"] for s in moss["stories"]] == [3]
    assert "Dana Moss" in client.get("/entities/Dana%20Moss").text
    assert client.get("/api/entities/Nobody").status_code == 404
    assert client.get("/entities/Nobody").status_code == 404


def test_openapi_lists_every_api_path(client: Any) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/stories", "/api/stories/{story_id}", "/api/search", "/api/sources",
                 "/api/sources/{name}", "/api/entities/{name}"):
        assert path in spec["paths"], path
    assert "/api/ingest" not in spec["paths"]
    assert not any(p.startswith("/stories") for p in spec["paths"])  # HTML pages are not API
    assert client.get("/docs").status_code == 404  # no CDN-backed docs page


def test_ingest_is_off_by_default(client: Any) -> None:
    assert client.post("/api/ingest", content=b"{}").status_code in (404, 405)


def test_ingest_needs_the_token_and_runs_the_pipeline(db: Path) -> None:
    from fastapi.testclient import TestClient

    from storyline.config import EmbedSettings, Settings
    from storyline.serve import create_app

    app = create_app(db, allow_write=True, token="s3cret",
                     settings=Settings(embed=EmbedSettings(model="tfidf")))
    line = {"id": "new-1", "time": "2025-05-04T09:00:00Z", "source": "Night Desk",
            "title": "Harbour ferry strike called off", "text": "The ferry strike was called off."}
    body = (json.dumps(line) + "\n" + "{not json\n").encode()
    with TestClient(app) as c:
        assert c.post("/api/ingest", content=body).status_code == 401
        wrong = c.post("/api/ingest", content=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
        ok = c.post("/api/ingest", content=body, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200, ok.text
        result = ok.json()
        assert result["new"] == 1 and result["skipped"] == 1 and result["changed_stories"]
        assert "body" in result["problems"][0]
        found = c.get("/api/search", params={"q": "ferry"}).json()["articles"]
        assert [a["id"] for a in found] == ["new-1"]
        empty = c.post("/api/ingest", content=b"  ", headers={"Authorization": "Bearer s3cret"})
        assert empty.status_code == 400
        assert "/api/ingest" in c.get("/openapi.json").json()["paths"]


def test_writes_need_a_token(db: Path) -> None:
    from storyline.errors import StorylineError
    from storyline.serve import create_app

    with pytest.raises(StorylineError, match="token"):
        create_app(db, allow_write=True)


def test_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    from storyline.errors import StorylineError
    from storyline.serve import create_app

    with pytest.raises(StorylineError, match="no store at"):
        create_app(tmp_path / "absent.db")
    (tmp_path / "junk.db").write_text("not sqlite" * 100)
    with pytest.raises(StorylineError, match="not a storyline store"):
        create_app(tmp_path / "junk.db")


def test_pages_see_new_data_without_restart(db: Path) -> None:
    """The cached ranking follows the store: a pipeline run while serving shows up."""
    from fastapi.testclient import TestClient

    from storyline.serve import create_app

    with TestClient(create_app(db)) as c:
        before = c.get("/api/stories").json()["page"]["total"]
        with Store(db) as store, store.transaction():
            store.db.execute("UPDATE stories SET size = 0 WHERE id = (SELECT min(id) FROM stories)")
        assert c.get("/api/stories").json()["page"]["total"] == before - 1


@pytest.mark.parametrize("url", ["/search?q=the&source=", "/?x=1", "/sources",
                                 "/sources/State%20Radio", "/search?entity=Dana%20Moss&q="])
def test_html_pagination_keeps_the_query(client: Any, url: str) -> None:
    html = client.get(url + "&per_page=1" if "?" in url else url + "?per_page=1").text
    assert "page 1 of" in html
    nxt = re.search(r'rel="next" href="([^"]+)"', html)
    assert nxt is not None
    target = nxt.group(1).replace("&amp;", "&")
    assert "page=2" in target and "per_page=1" in target
    if "q=the" in url:
        assert "q=the" in target and "source=" not in target  # empty filters dropped
    page2 = client.get(url.split("?")[0] + target)
    assert page2.status_code == 200 and "page 2 of" in page2.text


def test_citations_point_at_the_right_articles_page(client: Any) -> None:
    story_id = _story_id(client, "br-1")
    full = client.get(f"/api/stories/{story_id}").json()
    order = [a["id"] for g in full["groups"] for a in g["articles"]]
    assert len(order) == 4
    for page in (1, 2):
        story = client.get(f"/api/stories/{story_id}", params={"per_page": 2, "page": page})
        listed = [a["id"] for g in story.json()["groups"] for a in g["articles"]]
        assert listed == order[2 * (page - 1): 2 * page]
        for s in story.json()["sentences"]:
            for ref in s["articles"]:
                original = ref["id"].removesuffix("-copy")
                assert ref["number"] == order.index(original) + 1
                assert ref["page"] == (ref["number"] - 1) // 2 + 1
        html = client.get(f"/stories/{story_id}", params={"per_page": 2, "page": page}).text
        for n, article in enumerate(listed, 2 * (page - 1) + 1):
            assert re.search(rf'<span class="num">{n}</span>', html), (page, article)
        other = [a for a in order if a not in listed]
        for article in other:
            if f'#a-{article}"' in html:  # a citation of an article listed on another page
                assert re.search(rf'href="\?[^"]*page=\d[^"]*#a-{article}"', html)


def test_bad_parameters_answer_422_as_json_or_as_a_page(client: Any) -> None:
    api = client.get("/api/stories", params={"page": "x"})
    assert api.status_code == 422 and api.json()["detail"][0]["loc"][-1] == "page"
    page = client.get("/", params={"page": "<script>"})
    assert page.status_code == 422 and "Invalid parameter: page." in page.text
    assert "<script>" not in page.text
