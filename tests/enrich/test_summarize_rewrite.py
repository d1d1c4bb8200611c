"""The optional rewrite backend against a real HTTP server on 127.0.0.1 (started here).

The server speaks the chat-completions protocol with answers written in this file; nothing
leaves the machine.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from storyline.config import Settings, SummarySettings
from storyline.enrich.rewrite import Rewriter, unsupported
from storyline.enrich.summarize import ExtractiveSummarizer
from storyline.errors import StorylineError
from storyline.models import Article, Summary
from storyline.normalize import normalize_one

ARTICLES = [
    Article(id="a1", title="Flood hits Lindenau",
            text="Heavy rain flooded the town of Lindenau on Friday, forcing 300 residents to "
                 "leave their homes.\nThe river Weiss rose by 2 metres in six hours, the Lindenau "
                 "fire service said.\nVolunteers filled sandbags near the old mill all night."),
    Article(id="a2", title="Lindenau residents evacuated",
            text="About 300 residents of Lindenau were evacuated on Friday after the river Weiss "
                 "burst its banks.\nThe fire service said the river rose by 2 metres in six "
                 "hours.\nSchools in Lindenau will stay closed on Monday."),
    Article(id="a3", title="Clean-up begins in Lindenau",
            text="The river Weiss fell on Saturday and residents of Lindenau began to clean "
                 "their flooded homes.\nVolunteers filled sandbags near the old mill, the fire "
                 "service said.\nThe mayor of Lindenau thanked the volunteers."),
]

GOOD = ("The river Weiss rose by 2 metres in six hours on Friday and flooded Lindenau, where "
        "300 residents had to leave their homes.")
INVENTED_NUMBER = ("The river Weiss rose by 2 metres and flooded Lindenau, where 450 residents "
                   "had to leave their homes.")


class _ChatHandler(BaseHTTPRequestHandler):
    """Answers POST /v1/chat/completions with the reply queued by the test."""

    replies: ClassVar[list[tuple[int, str, float]]] = []  # (status, content, delay seconds)
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        type(self).requests.append({"path": self.path, "body": body,
                                    "auth": self.headers.get("Authorization")})
        status, content, delay = type(self).replies.pop(0)
        time.sleep(delay)
        if status != 200:
            self.send_error(status, "model overloaded")
            return
        payload = json.dumps({
            "id": "chatcmpl-test", "object": "chat.completion", "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (timeout case)
            self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _ChatHandler.replies = []
    _ChatHandler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _ChatHandler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _summary() -> Summary:
    docs = [normalize_one(a) for a in ARTICLES]
    return ExtractiveSummarizer()(docs, words=60)


def test_a_rewrite_true_to_the_sources_is_accepted(server: str, monkeypatch) -> None:
    monkeypatch.setenv("TEST_REWRITE_KEY", "sekrit")
    _ChatHandler.replies.append((200, GOOD, 0.0))
    settings = SummarySettings(rewrite=True, rewrite_url=server, rewrite_model="tiny",
                               rewrite_api_key_env="TEST_REWRITE_KEY", rewrite_timeout=5)
    outcome = Rewriter.from_settings(settings).rewrite(_summary(), ARTICLES, words=60)
    assert outcome.accepted, outcome.reason
    assert outcome.text == GOOD
    request = _ChatHandler.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["body"]["model"] == "tiny"
    assert request["auth"] == "Bearer sekrit"
    prompt = request["body"]["messages"][-1]["content"]
    assert "river Weiss" in prompt and "SOURCE SENTENCES" in prompt


def test_an_invented_number_is_rejected(server: str, caplog) -> None:
    _ChatHandler.replies.append((200, INVENTED_NUMBER, 0.0))
    summary = _summary()
    with caplog.at_level(logging.WARNING, logger="storyline.enrich.rewrite"):
        outcome = Rewriter(server, "tiny", timeout=5).rewrite(summary, ARTICLES, words=60)
    assert not outcome.accepted
    assert outcome.text == summary.text
    assert "450" in outcome.reason
    assert "450" in caplog.text
    assert _ChatHandler.requests[0]["auth"] is None


def test_an_invented_name_is_rejected(server: str) -> None:
    _ChatHandler.replies.append((200, GOOD + " Chancellor Brandt visited the town.", 0.0))
    outcome = Rewriter(server, "tiny", timeout=5).rewrite(_summary(), ARTICLES, words=60)
    assert not outcome.accepted
    assert "Brandt" in outcome.reason and "Chancellor" in outcome.reason


def test_a_server_error_keeps_the_extractive_summary(server: str) -> None:
    _ChatHandler.replies.append((503, "", 0.0))
    summary = _summary()
    outcome = Rewriter(server, "tiny", timeout=5).rewrite(summary, ARTICLES, words=60)
    assert not outcome.accepted
    assert outcome.text == summary.text
    assert "503" in outcome.reason


def test_a_timeout_keeps_the_extractive_summary(server: str) -> None:
    _ChatHandler.replies.append((200, GOOD, 1.5))
    summary = _summary()
    start = time.perf_counter()
    outcome = Rewriter(server, "tiny", timeout=0.3).rewrite(summary, ARTICLES, words=60)
    assert time.perf_counter() - start < 1.4
    assert not outcome.accepted
    assert outcome.text == summary.text
    assert "no answer" in outcome.reason


def test_the_summarize_command_rewrites_through_the_server(
    server: str, tmp_path: Path, capsys
) -> None:
    from storyline.cli import main

    cluster = {"id": "flood", "articles": [
        {"id": a.id, "title": a.title, "text": a.text} for a in ARTICLES]}
    path = tmp_path / "clusters.jsonl"
    path.write_text(json.dumps(cluster) + "\n", encoding="utf-8")
    config = tmp_path / "s.toml"
    config.write_text(f'[summary]\nrewrite_url = "{server}"\nrewrite_model = "tiny"\n'
                      f'rewrite_timeout = 5\n', encoding="utf-8")
    _ChatHandler.replies.extend([(200, GOOD, 0.0), (200, INVENTED_NUMBER, 0.0)])
    for expected in (True, False):
        assert main(["--embedder", "tfidf", "--config", str(config), "summarize", str(path),
                     "--words", "60", "--rewrite"]) == 0
        record = json.loads(capsys.readouterr().out)
        assert record["rewritten"] is expected
        assert record["off_topic"] == []
        assert record["sentences"]  # the extractive sentences and provenance stay
        if expected:
            assert record["summary"] == GOOD
        else:
            assert "450" in record["rewrite_note"]
            assert record["summary"] == " ".join(s["text"] for s in record["sentences"])


def test_rewrite_is_off_by_default_and_needs_an_http_url() -> None:
    assert Settings().summary.rewrite is False
    with pytest.raises(StorylineError, match="rewrite_url"):
        Rewriter.from_settings(SummarySettings(rewrite=True))


def test_unsupported_names_and_numbers() -> None:
    sources = ["The U.S.-led coalition said 1,200 troops left Basra on Tuesday."]
    assert unsupported("In Basra, 1200 U.S. troops left, the coalition said.", sources) == []
    assert unsupported("The British said 1,300 troops left Basra.", sources) == ["1,300",
                                                                                 "British"]
