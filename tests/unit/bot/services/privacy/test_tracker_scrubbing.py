"""What Rasa's tracker store keeps of a conversation: no card number, code or email.

The store is the real `ScrubbingSQLTrackerStore` on SQLite and PostgreSQL; the rows
are read back as an operator with a copy of the database would read them."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import text

from bot.db.session import make_engine
from bot.rasa.tracker_store import ScrubbingSQLTrackerStore
from bot.services.identity.sealing import seal, unseal
from bot.services.privacy.redaction import scrub_text
from bot.services.privacy.tracker_scrubbing import OpenQuestion, scrub_event, scrub_new_events
from tests.support.environment import ROOT

CARD = "4111 1111 1111 1111"
EMAIL = "active@example.com"


def user(text: str, *entities: tuple[str, str]) -> UserUttered:
    found = [{"entity": name, "value": value, "start": 0, "end": 1} for name, value in entities]
    parse_data = {"text": text, "intent": {"name": "inform", "confidence": 1.0}, "entities": found}
    return UserUttered(text, parse_data["intent"], found, parse_data, input_channel="rest")


def test_scrub_text_removes_cards_masks_emails_and_replaces_codes() -> None:
    scrubbed = scrub_text(f"card {CARD}, mail {EMAIL.upper()}, code 482 913, ref AC-100001 1881")
    assert scrubbed == (
        "card [card number removed], mail A***@example.com, code [one-time code], "
        "ref AC-100001 1881"
    )
    assert scrub_text(scrubbed) == scrubbed


def test_a_code_answer_is_replaced_whole_and_code_slots_keep_only_markers() -> None:
    question = OpenQuestion("otp_code")
    answer = scrub_event(user("123-456", ("otp_code", "123456")).as_dict(), question)
    assert answer["text"] == answer["parse_data"]["text"] == "[one-time code]"
    assert answer["parse_data"]["entities"][0]["value"] == "[one-time code]"
    raw = scrub_event(SlotSet("otp_code", "123-456").as_dict(), question)
    assert raw["value"] == "[one-time code]"
    assert scrub_event(SlotSet("otp_code", "accepted").as_dict(), question)["value"] == "accepted"
    question.see(ActiveLoop(None).as_dict())
    # no question open: only the code is replaced, however it is typed
    assert scrub_event(user("ok 123-456").as_dict(), question)["text"] == "ok [one-time code]"
    assert scrub_event(user("ok AC-100001").as_dict(), question)["text"] == "ok AC-100001"


def test_only_new_events_are_scrubbed_but_earlier_ones_say_which_question_is_open() -> None:
    events = [SlotSet("requested_slot", "handoff_code").as_dict(), user("12 34 56").as_dict()]
    assert scrub_new_events(events, already_stored=1)[0]["text"] == "[one-time code]"


def test_sealed_values_open_only_in_their_conversation_and_survive_scrubbing() -> None:
    sealed = seal(EMAIL, "conversation-1")
    assert EMAIL not in sealed and "@" not in sealed
    assert scrub_text(sealed) == sealed
    assert unseal(sealed, "conversation-1") == EMAIL
    assert unseal(sealed, "conversation-2") is None
    assert unseal("skipped", "conversation-1") == "skipped"


@pytest.fixture
def domain() -> Domain:
    return Domain.load(str(ROOT / "domain.yml"))


def test_the_store_writes_no_card_code_or_email_and_reads_back_what_later_turns_need(
    database_url: str, domain: Domain
) -> None:
    store = ScrubbingSQLTrackerStore(domain=domain, host=database_url)
    sender = "socketio:visitor-1"
    tracker = DialogueStateTracker(sender, domain.slots)
    sealed = seal(EMAIL, sender)
    for event in (
        ActionExecuted("action_listen"),
        user(f"my card is {CARD} and my mail {EMAIL}", ("email", EMAIL)),
        BotUttered("For your safety, never send a full card number"),
        SlotSet("handoff_identifier", EMAIL),  # the raw text of a from_text mapping
        SlotSet("handoff_identifier", sealed),  # what the form keeps
        SlotSet("requested_slot", "otp_code"),
        user("482 913", ("otp_code", "482913")),
        SlotSet("otp_code", "482 913"),
        SlotSet("otp_code", "accepted"),
        SlotSet("requested_slot", None),
        ActiveLoop(None),
    ):
        tracker.update(event, domain)
    asyncio.run(store.save(tracker))
    tracker.update(user(f"again {EMAIL}"), domain)
    asyncio.run(store.save(tracker))  # a second turn writes only its new events

    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).scalars()
        stored = [json.loads(row) for row in rows]
    engine.dispose()
    dump = json.dumps(stored)
    for secret in ("4111", EMAIL, "482 913", "482913"):
        assert secret not in dump
    assert len(stored) == len(tracker.events)
    assert stored[1]["text"] == "my card is [card number removed] and my mail a***@example.com"

    again = asyncio.run(store.retrieve(sender))
    assert again is not None
    assert unseal(again.get_slot("handoff_identifier"), sender) == EMAIL
    assert again.get_slot("otp_code") == "accepted"
    assert (
        again.latest_message is not None and again.latest_message.text == "again a***@example.com"
    )
    store.engine.dispose()


# --- any separators (issue #22, finding 3) -------------------------------------------

NBSP = "\u00a0"
CARD_FORMS = [
    "4111.1111.1111.1111", "4111/1111/1111/1111", "4111_1111_1111_1111",
    "4111  1111  1111  1111", f"4111{NBSP}1111{NBSP}1111{NBSP}1111", "4111 - 1111 - 1111 - 1111",
]  # fmt: skip
CODE_FORMS = ["482-913", "482.913", f"482{NBSP}913", "482 - 913"]


def digits_left(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


@pytest.mark.parametrize("card", CARD_FORMS)
@pytest.mark.parametrize("code", CODE_FORMS)
def test_cards_and_codes_with_any_separators_leave_no_digit_in_store_log_or_transcript(
    card: str, code: str
) -> None:
    from bot.rasa.log_scrubbing import ScrubbingFilter
    from bot.services.handoff.tickets import transcript_from_events

    typed = f"charged twice on {card}; the code was {code}, ref AC-100001"
    assert digits_left(scrub_text(typed)) == "100001"
    stored = scrub_event(user(typed).as_dict(), OpenQuestion())
    assert digits_left(json.dumps([stored["text"], stored["parse_data"]["text"]])) == "100001" * 2
    record = logging.LogRecord("rasa", logging.DEBUG, __file__, 1, "got %s", (typed,), None)
    ScrubbingFilter().filter(record)
    assert digits_left(record.getMessage()) == "100001"
    [line] = transcript_from_events([user(typed).as_dict()])
    assert digits_left(line["text"]) == "100001"


# --- sealed slots (issue #22, lows) --------------------------------------------------


def test_a_sealed_slots_plain_value_never_reaches_the_store(
    database_url: str, domain: Domain
) -> None:
    """A from_text mapping sets the slot to the typed text, then the form replaces it with
    the sealed value in the same turn: the store keeps the sealed one only."""
    store = ScrubbingSQLTrackerStore(domain=domain, host=database_url)
    sender = "rest:sealed-1"
    tracker = DialogueStateTracker(sender, domain.slots)
    typed = {
        "handoff_reason": "the invoice of Rossi Impianti srl is wrong",
        "handoff_identifier": "marco_demo",
        "handoff_billing_address": "via Garibaldi 12, Torino",
    }
    for slot, value in typed.items():
        tracker.update(SlotSet("requested_slot", slot), domain)
        tracker.update(SlotSet(slot, value), domain)  # action_extract_slots: the plain text
        tracker.update(SlotSet(slot, seal(value, sender)), domain)  # the form's validation
    tracker.update(SlotSet("handoff_billing_email", "skipped"), domain)
    asyncio.run(store.save(tracker))

    engine = make_engine(database_url)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"), {"s": sender}
        ).scalars()
        slots = [json.loads(row) for row in rows]
    engine.dispose()
    dump = json.dumps(slots)
    for value in typed.values():
        assert value not in dump and "Rossi" not in dump and "marco" not in dump
    again = asyncio.run(store.retrieve(sender))
    assert again is not None
    for slot, value in typed.items():
        assert unseal(again.get_slot(slot), sender) == value
    assert again.get_slot("handoff_billing_email") == "skipped"
    store.engine.dispose()
