"""What makes a ticket look like part of an incident: shared words, the service, the area.

Lexical and cheap (no model runs in a request): words are folded and stemmed both the French and
the English way (``search.text``), so "coupures" meets "coupure" and "outages" meets "outage"
whatever language either side was written in."""

from __future__ import annotations

from dataclasses import dataclass, field

from comptoir.search.text import STOPWORDS, stem, words

from .models import Incident, Service

MIN_LENGTH = 3  # shorter words say nothing about a subject


def stems(text: str) -> set[str]:
    """The text's meaningful words, each as its French and its English stem."""
    found: set[str] = set()
    for word in words(text):
        if len(word) < MIN_LENGTH or word in STOPWORDS:
            continue
        found.add(stem(word, "fr"))
        found.add(stem(word, "en"))
    return found


def _phrase_stems(phrase: str) -> list[set[str]]:
    """Each word of a keyword as its two stems: a keyword matches when every word is present."""
    return [{stem(w, "fr"), stem(w, "en")} for w in words(phrase) if len(w) >= 2]


def keyword_hits(service: Service, text_stems: set[str]) -> list[str]:
    """The service's keywords (and names) found in a text's stems."""
    hits = []
    for keyword in [*service.keyword_list(), service.name_fr, service.name_en]:
        parts = _phrase_stems(keyword)
        if parts and all(part & text_stems for part in parts) and keyword not in hits:
            hits.append(keyword)
    return hits


def area_matches(area: str, *, customer_area: str, text: str) -> bool:
    """The customer's area starts with the incident's ("75011" is in "75"), or the text names it:
    a number starting with it (a postal code), or the area's words in a row (a district)."""
    wanted = " ".join(words(area))
    if not wanted:
        return False
    if " ".join(words(customer_area)).startswith(wanted):
        return True
    text_words = words(text)
    if wanted.isdigit():
        return any(w.isdigit() and w.startswith(wanted) for w in text_words)
    return f" {wanted} " in f" {' '.join(text_words)} "


@dataclass
class Match:
    """Why a ticket looks like part of an incident: reason codes with what supports each."""

    category: bool = False
    keywords: list[str] = field(default_factory=list)
    area: bool = False
    subscriber: bool = False
    shared: list[str] = field(default_factory=list)  # words shared with the incident's text

    @property
    def service(self) -> bool:
        return self.category or bool(self.keywords)

    @property
    def score(self) -> float:
        return (
            2.0 * self.category + 1.5 * bool(self.keywords) + 1.5 * self.area + 1.0 * self.subscriber
            + 0.5 * min(len(self.shared), 4)
        )  # fmt: skip

    def any(self) -> bool:
        return self.service or self.area or self.subscriber or len(self.shared) >= 2


def incident_stems(incident: Incident) -> set[str]:
    return stems(" ".join([incident.title, incident.workaround_fr, incident.workaround_en]))


def ticket_match(
    incident: Incident,
    *,
    text: str,
    category_id: int | None,
    customer_area: str,
    subscriber: bool = False,
    known_stems: set[str] | None = None,
) -> Match:
    text_stems = stems(text)
    match = Match(subscriber=subscriber)
    service = incident.service
    if service is not None:
        match.category = service.category_id is not None and service.category_id == category_id
        match.keywords = keyword_hits(service, text_stems)
    if incident.area:
        match.area = area_matches(incident.area, customer_area=customer_area, text=text)
    shared = (known_stems if known_stems is not None else incident_stems(incident)) & text_stems
    # Shown as words people read: the text's words whose stem is shared, first spelling kept.
    seen: dict[str, str] = {}
    for word in words(text):
        for s in (stem(word, "fr"), stem(word, "en")):
            if s in shared and s not in seen:
                seen[s] = word
    match.shared = list(dict.fromkeys(seen.values()))[:6]
    return match


def rule_applies(incident: Incident, match: Match) -> bool:
    """The automatic linking rule: the ticket names the incident's service (its category or one
    of its keywords) and, when the incident has an area, is in that area too. An incident with an
    area and no service links nothing by itself (its suggestions list still shows candidates)."""
    if incident.service_id is None or not match.service:
        return False
    return not incident.area or match.area
