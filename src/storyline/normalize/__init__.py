"""Normalize stage: clean text, split sentences, fingerprint content."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Protocol

from storyline.models import Article, Document, Sentence
from storyline.normalize.clean import clean_line, clean_text
from storyline.normalize.dates import parse_time
from storyline.normalize.sentences import split_sentences
from storyline.text import words

__all__ = ["Normalizer", "content_hash", "normalize", "normalize_one", "parse_time"]


class Normalizer(Protocol):
    def __call__(self, articles: Iterable[Article]) -> Iterator[Document]: ...


def content_hash(title: str, body: str) -> str:
    """Hash of the lower-cased word sequence: equal for copies that differ only in spacing,
    punctuation or case."""
    key = " ".join(words(f"{title} \n {body}"))
    return hashlib.blake2b(key.encode("utf-8"), digest_size=12).hexdigest()


def normalize_one(article: Article) -> Document:
    title = clean_line(article.title)
    body = clean_text(article.text)
    sentences: list[Sentence] = []
    if title:
        sentences.append(Sentence(f"{article.id}#t", article.id, -1, title, is_title=True))
    for i, text in enumerate(split_sentences(body)):
        sentences.append(Sentence(f"{article.id}#{i}", article.id, i, text))
    return Document(
        article=article,
        title=title,
        body=body,
        sentences=tuple(sentences),
        content_hash=content_hash(title, body),
    )


def normalize(articles: Iterable[Article]) -> Iterator[Document]:
    """Normalize a stream of articles, dropping those with no text left after cleaning."""
    for article in articles:
        doc = normalize_one(article)
        if doc.sentences:
            yield doc
