"""Per-agent figures and the trend per day of the Insights page: the tickets the desk
wrote, the tracker events Rasa stored (claim, the agent's messages, the customer's
answers after the hand-back), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.db.models import Agent, HandoffTicket, TicketStatus
from bot.services.insights.agents import AgentFigures, agent_figures
from bot.services.insights.figures import Filters, refresh, report
from bot.services.insights.outcomes import Windows
from tests.support.insight_events import Conversation, tracker
from tests.support.services import NOW

__all__ = ["tracker"]  # the fixture

WINDOWS = Windows(quiet=timedelta(minutes=60), resolution=timedelta(hours=24))
STEP = timedelta(seconds=5)  # Conversation writes each event 5 s after the one before


def read_all(session: Session, tracker: Engine) -> None:
    with tracker.connect() as connection:
        refresh(session, connection, WINDOWS, NOW)
    session.commit()


def handed_off(tracker: Engine, sender: str, at: datetime) -> Conversation:
    return (
        Conversation(tracker, sender, at, "it")
        .user("voglio parlare con una persona", "talk_to_human")
        .action("action_handoff")
        .write({"event": "pause"})
    )


def claimed(conversation: Conversation, agent: str) -> datetime:
    """The desk's claim as Rasa stores it (the agent's name in a slot); its time."""
    conversation.wait(timedelta(minutes=2)).slot("agent_name", agent)
    conversation.write({"event": "bot", "text": f"{agent} joined"})  # a notice, not the agent
    return conversation.at - STEP


def writes(conversation: Conversation, agent: str, after: datetime, delay: timedelta) -> None:
    """The agent's message `delay` after `after` (the desk's bot event with metadata)."""
    conversation.at = after + delay - STEP
    conversation.write({"event": "bot", "text": "Buongiorno!", "metadata": {"agent": agent}})
    conversation.write({"event": "bot", "text": "Eccomi", "metadata": {"agent": agent}})


def ticket(
    session: Session, sender: str, created: datetime, agent: str | None, closed: datetime | None
) -> None:
    status = TicketStatus.CLOSED if closed else TicketStatus.ASSIGNED if agent else None
    session.add(
        HandoffTicket(
            conversation_id=sender, channel=sender.split(":")[0], language="it",
            topic="general", summary="general", verification={}, transcript=[],
            status=(status or TicketStatus.QUEUED).value, assigned_to=agent,
            created_at=created, updated_at=closed or created, closed_at=closed,
        )
    )  # fmt: skip


def test_each_agent_handled_how_fast_and_what_customers_said(
    session: Session, tracker: Engine
) -> None:
    start = NOW - timedelta(days=1)
    session.add(
        Agent(username="marie", display_name="Marie Curie", password_hash="-", created_at=start)
    )
    # marie: two tickets handed back, first message 30 s and 90 s after the claim,
    # handled 10 and 20 minutes; one customer said yes (and 5), the other no
    happy = handed_off(tracker, "rest:happy", start)
    opened = happy.at - STEP
    taken = claimed(happy, "Marie Curie")
    writes(happy, "Marie Curie", taken, timedelta(seconds=30))
    happy.at = taken + timedelta(minutes=10)
    happy.write({"event": "resume"}).slot("satisfaction_helped", True)
    happy.slot("satisfaction_rating", 5)
    ticket(session, "rest:happy", opened, "marie", taken + timedelta(minutes=10))

    unhappy = handed_off(tracker, "socketio:unhappy", start + timedelta(hours=1))
    opened = unhappy.at - STEP
    taken = claimed(unhappy, "Marie Curie")
    writes(unhappy, "Marie Curie", taken, timedelta(seconds=90))
    unhappy.at = taken + timedelta(minutes=20)
    unhappy.write({"event": "resume"}).slot("satisfaction_helped", False)
    ticket(session, "socketio:unhappy", opened, "marie", taken + timedelta(minutes=20))

    # luca (removed from the roster since): claimed, no message yet, still open
    waiting = handed_off(tracker, "rest:waiting", start + timedelta(hours=2))
    claimed(waiting, "Luca")
    ticket(session, "rest:waiting", waiting.at, "luca", None)
    # nobody took this one; and marie's ticket from before the period is not counted
    queued = handed_off(tracker, "rest:queued", start + timedelta(hours=3))
    ticket(session, "rest:queued", queued.at, None, None)
    ticket(session, "rest:old", start - timedelta(days=5), "marie", start - timedelta(days=5))
    session.commit()
    read_all(session, tracker)

    figures = agent_figures(session, start=start - timedelta(minutes=1))
    assert figures == [
        AgentFigures(
            agent="marie", name="Marie Curie", handled=2, still_open=0, first_responses=2,
            median_first_response_seconds=60.0, median_handle_seconds=15 * 60.0,
            csat_answers=2, csat_satisfied=1, csat_rate=0.5, ratings=1, average_rating=5.0,
        ),
        AgentFigures(agent="luca", name="luca", handled=0, still_open=1),
    ]  # fmt: skip
    assert [f.agent for f in agent_figures(session, channel="socketio")] == ["marie"]
    assert agent_figures(session, language="fr") == []

    result = report(session, Filters(start=start - timedelta(minutes=1)), NOW, WINDOWS)
    assert [f.agent for f in result.by_agent] == ["marie", "luca"]
    assert result.as_dict()["by_agent"][0]["median_first_response_seconds"] == 60.0


def test_the_trend_has_every_day_of_the_period_by_outcome(
    session: Session, tracker: Engine
) -> None:
    first = NOW.replace(hour=9) - timedelta(days=4)
    Conversation(tracker, "rest:d1", first, "it").user("ciao", "greet")  # abandoned
    handed_off(tracker, "rest:d2", first + timedelta(hours=1))
    # nothing the next two days; then one conversation still going on today
    Conversation(tracker, "rest:d3", NOW - timedelta(minutes=5), "fr").user("allo", "greet")
    read_all(session, tracker)

    days = report(session, Filters(), NOW, WINDOWS).by_day
    assert [(d.day, d.conversations, d.abandoned, d.handed_off, d.in_progress) for d in days] == [
        (first.date().isoformat(), 2, 1, 1, 0),
        ((first + timedelta(days=1)).date().isoformat(), 0, 0, 0, 0),
        ((first + timedelta(days=2)).date().isoformat(), 0, 0, 0, 0),
        ((first + timedelta(days=3)).date().isoformat(), 0, 0, 0, 0),
        (NOW.date().isoformat(), 1, 0, 0, 1),
    ]
    # a period given: its days exactly, the empty ones too
    period = Filters(
        start=datetime.combine(NOW.date(), datetime.min.time()) - timedelta(days=1),
        end=datetime.combine(NOW.date(), datetime.min.time()) + timedelta(days=2),
    )
    assert [(d.day, d.conversations) for d in report(session, period, NOW, WINDOWS).by_day] == [
        ((NOW - timedelta(days=1)).date().isoformat(), 0),
        (NOW.date().isoformat(), 1),
        ((NOW + timedelta(days=1)).date().isoformat(), 0),
    ]
    assert report(session, Filters(language="en"), NOW, WINDOWS).by_day == []
