"""Optional abstractive rewrite of an extractive summary, checked against its sources.

Off by default (``SummarySettings.rewrite``). ``Rewriter`` sends the extractive summary and the
source sentences to a user-configured OpenAI-compatible chat-completions server (``POST
{rewrite_url}/chat/completions``, stdlib ``urllib``, no new dependency) and keeps the rewrite
**only** when every number and every capitalized name in it appears in the source sentences;
otherwise, or when the server fails or times out, the extractive summary is kept and the reason
is logged and returned. Nothing is sent anywhere unless a URL is configured.
"""

from __future__ import annotations

import json
import logging
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from storyline.config import SummarySettings
from storyline.errors import StorylineError
from storyline.models import Article, Summary
from storyline.normalize import normalize_one
from storyline.text import STOPWORDS

__all__ = ["RewriteOutcome", "Rewriter", "unsupported"]

log = logging.getLogger(__name__)

_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9.'’\-]*")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*\s+")
#: capitalized words that open sentences without naming anything
_OPENERS = frozenset(["a", "an", "the", "in", "on", "at", "after", "before", "as", "by", "for",
                      "from", "with", "while", "when", "since", "during", "according", "about",
                      "more", "most", "some", "many", "several", "two", "three", "four", "five"])
#: source sentences sent along with the summary (the leads of the articles it cites first)
_CONTEXT_SENTENCES = 40
_PROMPT = (
    "Rewrite the following news summary as fluent prose of at most {words} words. Use only "
    "facts stated in the summary or the source sentences. Do not add any number, name, date "
    "or place that is not in them. Answer with the rewritten summary only.\n\n"
    "SUMMARY:\n{summary}\n\nSOURCE SENTENCES:\n{sources}"
)


@dataclass(frozen=True, slots=True)
class RewriteOutcome:
    """The text to show, whether it is the rewrite, and why not when it is not."""

    text: str
    accepted: bool
    reason: str = ""


class Rewriter:
    """Rewrites summaries through a chat-completions server; see the module docstring."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise StorylineError(
                f"summary rewrite: rewrite_url must be an http(s) URL, got {url!r} "
                "(set [summary] rewrite_url in the --config file)")
        self.endpoint = url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key = api_key
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: SummarySettings) -> Rewriter:
        key = os.environ.get(settings.rewrite_api_key_env) if settings.rewrite_api_key_env \
            else None
        return cls(settings.rewrite_url, settings.rewrite_model, key, settings.rewrite_timeout)

    def rewrite(
        self, summary: Summary, sources: Sequence[Article | str], words: int = 100
    ) -> RewriteOutcome:
        """The checked rewrite of ``summary``, or the extractive text with the reason.
        ``sources`` are the on-topic articles (or their sentences as strings)."""
        extractive = summary.text
        if not summary.sentences:
            return RewriteOutcome(extractive, False, "empty summary")
        sentences = _source_sentences(sources, summary)
        try:
            text = self._ask(summary, sentences, words)
        except _ServerError as exc:
            log.warning("summary rewrite rejected, keeping the extractive summary: %s", exc)
            return RewriteOutcome(extractive, False, str(exc))
        reason = _verdict(text, sentences, words)
        if reason:
            log.warning("summary rewrite rejected, keeping the extractive summary: %s", reason)
            return RewriteOutcome(extractive, False, reason)
        return RewriteOutcome(text, True)

    def _ask(self, summary: Summary, sentences: list[str], words: int) -> str:
        prompt = _PROMPT.format(words=words, summary=summary.text,
                                sources="\n".join(f"- {s}" for s in
                                                  sentences[:_CONTEXT_SENTENCES]))
        body = json.dumps({
            "model": self.model,
            "messages": [
                {"role": "system", "content": "You edit news summaries without adding facts."},
                {"role": "user", "content": prompt},
            ],
            "temperature": 0,
        }).encode("utf-8")
        headers = {"Content-Type": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(self.endpoint, data=body, headers=headers,
                                         method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                payload = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise _ServerError(f"server answered HTTP {exc.code} at {self.endpoint}") from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _ServerError(f"no answer from {self.endpoint}: {reason}") from exc
        except (ValueError, UnicodeDecodeError) as exc:
            raise _ServerError(f"not JSON from {self.endpoint}: {exc}") from exc
        return _content(payload, self.endpoint)


class _ServerError(Exception):
    pass


def _content(payload: Any, endpoint: str) -> str:
    try:
        text = payload["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise _ServerError(f"no choices[0].message.content in the answer of {endpoint}") from exc
    if not isinstance(text, str):
        raise _ServerError(f"choices[0].message.content is not text ({endpoint})")
    return " ".join(text.split())


def _source_sentences(sources: Sequence[Article | str], summary: Summary) -> list[str]:
    """The summary's sentences first, then the sentences of the sources (articles cited by the
    summary first)."""
    out = [s.text for s in summary.sentences]
    cited = {i for s in summary.sentences for i in s.articles}
    arts = [a for a in sources if isinstance(a, Article)]
    arts.sort(key=lambda a: a.id not in cited)
    for a in arts:
        out.extend(s.text for s in normalize_one(a).sentences)
    out.extend(s for s in sources if isinstance(s, str))
    return list(dict.fromkeys(out))


def _verdict(text: str, sentences: Sequence[str], words: int) -> str:
    """Why a rewrite is rejected ("" when it is accepted)."""
    if not text:
        return "empty rewrite"
    n = len(text.split())
    if n > words * 1.1 + 5:
        return f"rewrite too long ({n} words, budget {words})"
    missing = unsupported(text, sentences)
    if missing:
        return "not in the sources: " + ", ".join(missing[:10])
    return ""


def unsupported(text: str, sources: Iterable[str]) -> list[str]:
    """The numbers and capitalized names of ``text`` that no source sentence contains."""
    source = " ".join(sources)
    numbers = {_plain_number(m) for m in _NUMBER.findall(source)}
    names = {_plain_word(p) for w in _WORD.findall(source) for p in w.split("-")}
    lower = {w.lower() for w in names}
    missing: list[str] = []
    for m in _NUMBER.findall(text):
        if _plain_number(m) not in numbers and m not in missing:
            missing.append(m)
    starts = _sentence_starts(text)
    for match in _WORD.finditer(text):
        for part in (_plain_word(p) for p in match.group(0).split("-")):
            if not part or not part[0].isupper() or part in names or part in missing:
                continue
            low = part.lower()
            opener = match.start() in starts and (low in lower or low in STOPWORDS
                                                  or low in _OPENERS)
            if not opener and low not in {"i"}:
                missing.append(part)
    return missing


def _sentence_starts(text: str) -> set[int]:
    starts = {len(text) - len(text.lstrip())}
    starts.update(m.end() for m in _SENTENCE_END.finditer(text))
    return starts


def _plain_number(token: str) -> str:
    return token.replace(",", "").rstrip(".")


def _plain_word(token: str) -> str:
    """A word without a possessive or trailing punctuation ("Iran's" -> "Iran")."""
    token = token.rstrip(".'’-")
    for suffix in ("'s", "’s"):
        if token.endswith(suffix):
            token = token[: -len(suffix)]
    return token.rstrip(".")
