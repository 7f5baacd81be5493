"""Canned replies: which texts a supervisor may save (the two variables, text only),
what an agent gets in the message box for one ticket, and which team's replies each
supervisor may change, on real databases."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from bot.services.agents import canned
from bot.services.agents.canned import CannedError, render, text_problem

NOW = datetime(2026, 11, 23, 10, 0)


def test_the_two_variables_are_filled_in_for_the_ticket_and_the_agent() -> None:
    text = "Ciao {first_name}, sono {agent_name}: ora controllo il tuo account."
    assert (
        render(text, "Giulia", "Marie") == "Ciao Giulia, sono Marie: ora controllo il tuo account."
    )


def test_an_unknown_first_name_leaves_no_hole_or_placeholder() -> None:
    assert render("Ciao {first_name}, sono {agent_name}.", None, "Marie") == "Ciao, sono Marie."
    assert render("{first_name}, merci d'avoir attendu.", None, "Luc") == "merci d'avoir attendu."
    assert "{" not in render("Hello {first_name}! {first_name}?", "", "Ann")


def test_a_value_holding_braces_is_never_read_as_a_variable() -> None:
    # a customer who gives "{agent_name}" as their name gets it back as typed
    assert render("Hi {first_name}", "{agent_name}", "Marie") == "Hi {agent_name}"


@pytest.mark.parametrize(
    ("title", "text", "problem"),
    [
        ("Greeting", "Hello {name}", "unknown variable {name}: use {first_name} or {agent_name}"),
        ("Greeting", "Hello {customer.email}", "unknown variable {customer.email}"),
        ("Greeting", "Hello {}", "unknown variable {}"),
        ("Greeting", "Hello {first_name", "a lone brace"),
        ("Greeting", "Hello first_name}", "a lone brace"),
        ("Greeting", "Hello\x07", "text only"),
        ("", "Hello", "the title must have 1-80 characters"),
        ("x" * 81, "Hello", "the title must have 1-80 characters"),
        ("Greeting", "", "the text must have 1-2000 characters"),
        ("Greeting", "x" * 2001, "the text must have 1-2000 characters"),
    ],
)
def test_a_reply_that_cannot_be_filled_in_is_refused_with_the_reason(
    title: str, text: str, problem: str
) -> None:
    found = text_problem(title, text)
    assert found is not None and found.startswith(problem), found


def test_line_breaks_and_both_variables_are_fine() -> None:
    assert text_problem("Wait", "Hello {first_name},\nI'm {agent_name}.\n\tOne moment.") is None


def test_supervisors_change_only_their_teams_replies(session: Session) -> None:
    italian = canned.create(session, "it", " Saluto ", " Ciao {first_name}! ", "sofia", NOW)
    french = canned.create(session, "fr", "Salut", "Bonjour {first_name}", "luc", NOW)
    assert (italian.title, italian.text) == ("Saluto", "Ciao {first_name}!")
    assert [r.id for r in canned.list_replies(session, ["it"])] == [italian.id]

    edited = canned.edit(
        session, italian.id, ["it"], "Saluto", "Buongiorno {agent_name}", "sofia", NOW
    )
    assert edited.text == "Buongiorno {agent_name}"
    with pytest.raises(LookupError):
        canned.edit(session, french.id, ["it", "en"], "x", "y", "sofia", NOW)
    with pytest.raises(LookupError):
        canned.delete(session, french.id, ["it"])
    with pytest.raises(CannedError, match="unknown variable"):
        canned.edit(session, italian.id, ["it"], "Saluto", "Ciao {nome}", "sofia", NOW)
    session.refresh(italian)
    assert italian.text == "Buongiorno {agent_name}"  # a refused edit changes nothing

    canned.delete(session, italian.id, ["it"])
    assert canned.list_replies(session, ["it", "fr"]) == [french]
