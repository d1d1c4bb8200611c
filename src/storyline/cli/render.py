"""Text and JSON views of stories for the terminal (API shapes, separate from storage rows)."""

from __future__ import annotations

import textwrap
from datetime import datetime
from typing import Any

from storyline.models import Article, Story, StoryExtras

__all__ = ["story_brief", "story_full", "story_json"]


def _d(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _span(story: Story) -> str:
    if not story.start:
        return "undated"
    start, end = story.start.date().isoformat(), (story.end or story.start).date().isoformat()
    return start if start == end else f"{start} .. {end}"


def story_json(
    story: Story, articles: dict[str, Article] | None = None, extras: StoryExtras | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": story.id,
        "storyline": story.storyline_id,
        "headline": story.headline,
        "size": len(story.members),
        "sources": list(story.sources),
        "start": _d(story.start),
        "end": _d(story.end),
        "summary": story.summary.text,
        "sentences": [
            {"text": s.text, "articles": list(s.articles), "time": _d(s.time)}
            for s in story.summary.sentences
        ],
        "members": list(story.members),
        "off_topic": list(story.off_topic),
    }
    if extras is not None:
        out.update(timeline=extras.timeline or [], entities=extras.entities or [],
                   disagreements=extras.disagreements or [])
    if articles is not None:
        out["articles"] = [
            {"id": a.id, "title": a.title, "text": a.text[:500], "time": _d(a.time),
             "source": a.source, "url": a.url, "off_topic": a.id in story.off_topic}
            for a in (articles[i] for i in (*story.members, *story.off_topic) if i in articles)
        ]
    return out


def story_brief(story: Story, width: int = 100) -> str:
    sources = ", ".join(story.sources[:5]) + (" …" if len(story.sources) > 5 else "")
    head = f"[{story.id}] {story.headline}"
    meta = f"  {len(story.members)} item(s) · {_span(story)}" + (f" · {sources}" if sources else "")
    if story.off_topic:
        meta += f" · {len(story.off_topic)} off-topic"
    summary = textwrap.shorten(story.summary.text, width=3 * width, placeholder=" …")
    body = textwrap.fill(summary, width=width, initial_indent="  ", subsequent_indent="  ")
    return "\n".join([head, meta, body])


def _item(article: Article) -> str:
    text = article.title or article.text
    when = article.time.date().isoformat() if article.time else ""
    parts = [p for p in (when, article.source) if p]
    prefix = f"({', '.join(parts)}) " if parts else ""
    return f"  - [{article.id}] {prefix}{textwrap.shorten(text, 110, placeholder=' …')}"


def _extras_lines(extras: StoryExtras) -> list[str]:
    lines: list[str] = []
    if extras.timeline:
        lines += ["", "Timeline:"]
        for t in extras.timeline:
            entry = f"{t['date']}  {t['text']}"
            lines.append(textwrap.fill(entry, 100, subsequent_indent=" " * 12))
    if extras.entities:
        lines += ["", "Entities:"]
        lines.append(textwrap.fill(
            ", ".join(f"{e['name']} ({e['label']}, {e['mentions']})" for e in extras.entities),
            100, initial_indent="  ", subsequent_indent="  "))
    if extras.disagreements:
        lines += ["", "Where sources disagree:"]
        for d in extras.disagreements:
            lines.append(f"  {d['topic']}:")
            for c in d["claims"]:
                who = ", ".join(c["sources"] or c["articles"])
                lines.append(textwrap.fill(f"- {c['value']}: \"{c['text']}\" ({who})", 100,
                                           initial_indent="    ", subsequent_indent="      "))
    return lines


def story_full(
    story: Story,
    articles: dict[str, Article],
    siblings: list[Story],
    extras: StoryExtras | None = None,
) -> str:
    lines = [
        story.headline,
        "=" * min(len(story.headline), 100),
        f"story {story.id} · storyline {story.storyline_id} · {_span(story)}",
        f"sources: {', '.join(story.sources) or 'unknown'}",
        "",
        "Summary:",
    ]
    for n, s in enumerate(story.summary.sentences, 1):
        lines.append(textwrap.fill(f"{n}. {s.text}", 100, subsequent_indent="   "))
        lines.append(f"   sources: {', '.join(s.articles)}")
    lines += _extras_lines(extras or StoryExtras())
    lines += ["", f"Items ({len(story.members)}):"]
    lines += [_item(articles[i]) for i in story.members if i in articles]
    if story.off_topic:
        lines += ["", f"Off-topic items set aside ({len(story.off_topic)}):"]
        lines += [_item(articles[i]) for i in story.off_topic if i in articles]
    others = [s for s in siblings if s.id != story.id]
    if others:
        lines += ["", "Other events in the same storyline:"]
        lines += [f"  - [{s.id}] {s.headline} ({len(s.members)} items, {_span(s)})" for s in others]
    return "\n".join(lines)
