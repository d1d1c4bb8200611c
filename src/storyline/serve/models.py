"""HTTP response models (pydantic): the JSON API's shapes, built from the read-only view records
of :mod:`storyline.store.queries` (never from storage rows)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ArticleHitModel",
    "ArticleModel",
    "DisagreementModel",
    "EntityModel",
    "EntityPageModel",
    "FrontPageModel",
    "IngestModel",
    "PageModel",
    "SearchModel",
    "SourcePageModel",
    "SourcesModel",
    "StoryCardModel",
    "StoryModel",
]


class _Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageModel(_Model):
    page: int
    per_page: int
    total: int = Field(description="items in all pages (at most the cap when `capped`)")
    pages: int
    capped: bool = False


class DayCountModel(_Model):
    day: str
    count: int


class StoryCardModel(_Model):
    id: str
    headline: str
    lede: str = Field(description="the first summary sentence (one-line summary)")
    size: int = Field(description="on-topic articles, near-duplicates included")
    sources: int = Field(description="distinct sources")
    start: str | None
    end: str | None
    days: list[DayCountModel] = Field(description="articles per day (sparkline)")
    score: float | None = Field(None, description="front-page ranking score (docs/web.md)")
    matched: int | None = Field(
        None, description="articles from the source / mentions of the entity (those pages)")


class FrontPageModel(_Model):
    stories: list[StoryCardModel]
    page: PageModel
    reference: str | None = Field(None, description="newest article time: 'now' for recency")


class SourceRefModel(_Model):
    id: str
    source: str
    number: int | None = Field(None, description="position in the story's article list")
    page: int | None = Field(None, description="the story's articles page that lists it")


class SentenceModel(_Model):
    text: str
    time: str | None
    articles: list[SourceRefModel]


class ArticleModel(_Model):
    id: str
    title: str
    excerpt: str
    time: str | None
    source: str
    url: str = Field(description="as stored: untrusted")
    link: str | None = Field(description="`url` if it is an http(s) URL, else null")
    off_topic: bool
    duplicate_of: str | None
    copies: list[ArticleModel] = Field(description="near-duplicates folded under this article")


class SourceGroupModel(_Model):
    source: str
    articles: list[ArticleModel]


class TimelineModel(_Model):
    date: str
    text: str
    articles: list[SourceRefModel]


class EntityModel(_Model):
    name: str
    label: str
    mentions: int


class ClaimModel(_Model):
    text: str
    value: str = Field("", description="the short value in dispute, when known")
    articles: list[SourceRefModel]
    sources: list[str]


class DisagreementModel(_Model):
    topic: str
    claims: list[ClaimModel]


class StoryModel(_Model):
    id: str
    storyline_id: str
    headline: str
    sentences: list[SentenceModel]
    size: int
    sources: list[str]
    start: str | None
    end: str | None
    days: list[DayCountModel]
    groups: list[SourceGroupModel] = Field(description="this page of articles, by source")
    articles_page: PageModel
    off_topic: list[ArticleModel]
    siblings: list[StoryCardModel] = Field(description="other events of the same storyline")
    timeline: list[TimelineModel]
    entities: list[EntityModel]
    disagreements: list[DisagreementModel]


class SegmentModel(_Model):
    text: str
    hit: bool


class ArticleHitModel(_Model):
    id: str
    story_id: str | None
    story_headline: str
    title: list[SegmentModel]
    snippet: list[SegmentModel]
    time: str | None
    source: str
    url: str
    link: str | None


class StoryHitModel(_Model):
    id: str
    headline: list[SegmentModel]
    snippet: list[SegmentModel]
    size: int
    start: str | None
    end: str | None


class FiltersModel(BaseModel):
    since: str | None = None
    until: str | None = None
    source: str | None = None
    entity: str | None = None


class SearchModel(BaseModel):
    query: str
    filters: FiltersModel
    stories: list[StoryHitModel]
    articles: list[ArticleHitModel]
    page: PageModel


class SourceSummaryModel(BaseModel):
    name: str
    articles: int
    stories: int


class SourcesModel(BaseModel):
    sources: list[SourceSummaryModel]
    page: PageModel


class SourcePageModel(_Model):
    name: str
    articles: int
    stories: list[StoryCardModel]
    page: PageModel


class EntityPageModel(_Model):
    name: str
    labels: list[str]
    stories: list[StoryCardModel]
    page: PageModel


class IngestModel(BaseModel):
    new: int
    duplicates: int
    already_stored: int
    skipped: int
    problems: list[str] = Field(description="the first problems met reading the body")
    changed_stories: list[str]
