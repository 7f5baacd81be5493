"""Which replies a verified customer gets per task, and which of them offer a person."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.db.models import AccountStatus, DeactivationReason
from bot.nlu.catalogue import get_catalogue
from bot.services.account.answers import TOPIC_BY_TASK, Task, answer, handoff_topic
from bot.services.topics import Topic
from tests.support.services import KNOWLEDGE_BASE_POLICY, TODAY
from tests.unit.bot.services.account.test_cancellation import (
    ANNUAL,
    CONTRACT_FAR,
    MONTHLY,
    make_account,
)

POLICY = KNOWLEDGE_BASE_POLICY


def replies(task: Task, **changes: object) -> list[tuple[str, Topic | None]]:
    account = replace(make_account(ANNUAL), **changes)  # type: ignore[arg-type]
    return [(r.response, r.handoff) for r in answer(task, account, TODAY, POLICY, "en")]


def test_a_terms_violation_closure_offers_a_person_for_its_own_topic() -> None:
    found = answer(
        Task.STATUS,
        replace(
            make_account(),
            status=AccountStatus.DEACTIVATED,
            status_since=TODAY - timedelta(days=10),
            deactivation_reason=DeactivationReason.TERMS_VIOLATION,
        ),
        TODAY,
        POLICY,
        "it",
    )
    assert [r.response for r in found] == ["utter_status_deactivated_terms_violation"]
    assert handoff_topic(found) is Topic.TERMS_VIOLATION


def test_a_reactivatable_account_offers_a_person_for_reactivation() -> None:
    found = replies(
        Task.REACTIVATION,
        status=AccountStatus.DEACTIVATED,
        status_since=TODAY - timedelta(days=30),
        deactivation_reason=DeactivationReason.NON_PAYMENT,
    )
    assert found == [("utter_status_deactivated_reactivatable", Topic.REACTIVATION)]


def test_the_email_conflict_offers_a_person() -> None:
    assert replies(Task.STATUS, collaborator_elsewhere=True) == [
        ("utter_status_email_conflict", Topic.EMAIL_CONFLICT)
    ]


def test_an_active_account_offers_nobody() -> None:
    found = answer(Task.STATUS, make_account(ANNUAL), TODAY, POLICY, "fr")
    assert [r.response for r in found] == ["utter_status_active"]
    assert handoff_topic(found) is None


def test_a_contract_is_cancelled_by_a_person() -> None:
    found = answer(Task.CANCELLATION, make_account(CONTRACT_FAR), TODAY, POLICY, "en")
    assert [r.response for r in found][-1] == "utter_cancel_offer_human"
    assert handoff_topic(found) is Topic.CANCELLATION


def test_an_online_cancellation_offers_nobody() -> None:
    found = answer(Task.CANCELLATION, make_account(MONTHLY), TODAY, POLICY, "en")
    assert [r.response for r in found] == ["utter_cancel_case_online"]
    assert handoff_topic(found) is None


def test_the_toll_free_answer_names_the_product_as_the_catalogue_does() -> None:
    (reply,) = answer(Task.ADDON, make_account(ANNUAL), TODAY, POLICY, "en")
    assert reply.response == "utter_addon_has_toll_free"
    assert reply.variables == {"product_name": get_catalogue().name(ANNUAL.product)}
    assert reply.variables["product_name"] != ANNUAL.product  # a name, not the code
    assert answer(Task.ADDON, make_account(MONTHLY), TODAY, POLICY, "en")[0].response == (
        "utter_addon_no_toll_free"
    )


@pytest.mark.parametrize("task", list(Task))
def test_every_task_has_a_handoff_topic(task: Task) -> None:
    assert task in TOPIC_BY_TASK
