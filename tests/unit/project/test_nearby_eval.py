"""How `make eval` scores the near-domain set end to end (bench/nearby_eval.py): what
a customer gets (the flow, the article, or the out-of-scope reply) decides whether a
message counts as right, confidently wrong or a safe miss."""

from __future__ import annotations

from dataclasses import dataclass

from bench.nearby_eval import NearbyMessage, Reading, counts, dev_half, read, verdict
from bot.services.help_centre import answering


@dataclass
class FakeArticle:
    topic: str


@dataclass
class FakeAnswer:
    article: FakeArticle
    confident: bool


class FixedSearch:
    """A search that always finds one article, confidently or not."""

    def __init__(self, topic: str, confident: bool) -> None:
        self.answer = FakeAnswer(FakeArticle(topic), confident)
        self.queries: list[str] = []
        self.margins: list[float] = []

    def search(
        self, query: str, language: str, limit: int = 3, margin: float = 0.0
    ) -> list[FakeAnswer]:
        self.queries.append(query)
        self.margins.append(margin)
        return [self.answer][:limit]


def test_a_flow_intent_is_the_reply_and_the_search_is_not_asked() -> None:
    search = FixedSearch("share-screen", confident=True)
    reading = read("cancel_subscription", False, "Résiliation abonnement", "fr", search)
    assert reading == Reading("cancel_subscription", "cancel_subscription")
    assert search.queries == []


def test_out_of_scope_how_to_and_not_understood_go_to_the_search() -> None:
    for label, fallback in (("out_of_scope", False), ("ask_how_to", False), ("faq", True)):
        reading = read(
            label, fallback, "black screen when sharing", "en", FixedSearch("share-screen", True)
        )
        assert reading.outcome == "article:share-screen"
    unsure = read("out_of_scope", False, "recipe", "en", FixedSearch("share-screen", False))
    assert unsure.outcome == "out_of_scope"


def test_verdicts() -> None:
    article = NearbyMessage("mic not picked up", "article:audio-devices", "en")
    flow = NearbyMessage("Removal of toll free numbers", "addon_unsubscribe", "en")
    off = NearbyMessage("recipe for banana bread", "out_of_scope", "en")
    assert verdict(article, Reading("ask_how_to", "article:audio-devices")) == "right"
    # routed to the search by the NLU: right for the NLU, a search miss counted apart
    assert verdict(article, Reading("ask_how_to", "out_of_scope")) == "right"
    assert verdict(article, Reading("out_of_scope", "out_of_scope")) == "safe_miss"
    assert verdict(article, Reading("cannot_login", "cannot_login")) == "confidently_wrong"
    assert verdict(article, Reading("out_of_scope", "article:join-by-phone")) == (
        "confidently_wrong"
    )
    assert verdict(flow, Reading("addon_subscribe", "addon_subscribe")) == "confidently_wrong"
    assert verdict(flow, Reading("nlu_fallback", "out_of_scope")) == "safe_miss"
    assert verdict(off, Reading("ask_how_to", "out_of_scope")) == "right"
    assert verdict(off, Reading("ask_how_to", "article:record-meeting")) == "confidently_wrong"


def test_counts_separate_search_misses_of_routed_how_to_questions() -> None:
    messages = [
        NearbyMessage("a", "article:wake-on-lan", "en"),
        NearbyMessage("b", "article:wake-on-lan", "en"),
        NearbyMessage("c", "out_of_scope", "en"),
    ]
    readings = [
        Reading("ask_how_to", "article:wake-on-lan"),
        Reading("ask_how_to", "out_of_scope"),
        Reading("talk_to_human", "talk_to_human"),
    ]
    result = counts(messages, readings)
    assert result["all"] == {
        "n": 3,
        "right": 2,
        "confidently_wrong": 1,
        "routed_how_to": 2,
        "search_miss": 1,
    }
    assert result["per_kind"]["out_of_scope"] == {"n": 1, "confidently_wrong": 1}


def test_the_split_is_fixed_and_splits() -> None:
    texts = [f"message {i}" for i in range(200)]
    halves = [dev_half(t) for t in texts]
    assert halves == [dev_half(t) for t in texts]
    assert 60 < sum(halves) < 140


def test_a_sure_out_of_scope_reading_is_searched_with_the_dialogues_margin() -> None:
    search = FixedSearch("share-screen", confident=False)
    read("out_of_scope", False, "share screen on my TV", "en", search, confidence=0.99)
    read("ask_how_to", False, "share my screen", "en", search, confidence=0.99)
    assert search.margins == [answering.OUT_OF_SCOPE_MARGIN, 0.0]
