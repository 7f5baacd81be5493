"""What to tell a verified customer about their own account, per task.

One function picks the replies (response names of domain.yml, three languages each)
and their variables from plain data; the action only sends them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from bot.config.policy import Policy
from bot.db.models import PlanType
from bot.nlu.catalogue import get_catalogue
from bot.services.account.cancellation import (
    NoSubscriptionError,
    OnlineBlocker,
    cancellation_case,
    cancellation_variables,
)
from bot.services.account.diagnosis import diagnose, diagnosis_variables
from bot.services.identity.accounts import AccountSnapshot
from bot.services.topics import Topic


class Task(str, enum.Enum):
    STATUS = "status"
    CANCELLATION = "cancellation"
    REACTIVATION = "reactivation"
    ADDON = "addon"


TASK_BY_INTENT = {
    "check_account_status": Task.STATUS,
    "cancel_subscription": Task.CANCELLATION,
    "reactivate_account": Task.REACTIVATION,
    "addon_subscribe": Task.ADDON,
    "addon_unsubscribe": Task.ADDON,
}

BLOCKER_RESPONSES = {
    OnlineBlocker.NOT_BILLING_ADMIN: "utter_cancel_blocked_not_billing_admin",
    OnlineBlocker.BALANCE_DUE: "utter_cancel_blocked_balance_due",
    OnlineBlocker.NOT_OFFERED_ONLINE: "utter_cancel_blocked_not_online",
}


# What a person helps with when the customer asks for one while a task is pending.
TOPIC_BY_TASK: dict[Task, Topic] = {
    Task.CANCELLATION: Topic.CANCELLATION,
    Task.REACTIVATION: Topic.REACTIVATION,
    Task.STATUS: Topic.ACCOUNT,
    Task.ADDON: Topic.ACCOUNT,
}


@dataclass(frozen=True)
class Reply:
    response: str
    variables: dict[str, str] = field(default_factory=dict)
    handoff: Topic | None = None  # the reply offers a person, for this topic


def answer(
    task: Task, account: AccountSnapshot, today: date, policy: Policy, language: str
) -> list[Reply]:
    """The replies for `task`, about `account`, in `language`."""
    if task is Task.CANCELLATION:
        return _cancellation(account, today, policy, language)
    if task is Task.ADDON:
        return _addon(account)
    # status and reactivation: the diagnosis says whether and until when
    diagnosis = diagnose(account, today, policy)
    variables = diagnosis_variables(diagnosis, language)
    return [Reply(diagnosis.response, variables, diagnosis.handoff)]


OFFER_HUMAN = Reply("utter_cancel_offer_human", handoff=Topic.CANCELLATION)


def _cancellation(
    account: AccountSnapshot, today: date, policy: Policy, language: str
) -> list[Reply]:
    try:
        # the verified person controls the registered email, so that is the requester
        case = cancellation_case(account, account.email, today, policy)
    except NoSubscriptionError:
        return [Reply("utter_no_active_subscription")]
    variables = cancellation_variables(case, language)
    if case.already_cancelled:
        return [Reply("utter_cancel_case_already_cancelled", variables)]
    if not case.may_cancel:
        return [Reply("utter_cancel_case_not_allowed", handoff=Topic.CANCELLATION)]
    if case.plan_type is PlanType.FIXED_TERM:
        # contracts are cancelled through support; say whether notice is still in time
        first = (
            "utter_cancel_case_contract_late"
            if case.notice_passed
            else "utter_cancel_case_contract_in_time"
        )
        return [Reply(first, variables), OFFER_HUMAN]
    if case.can_cancel_online:
        return [Reply("utter_cancel_case_online", variables)]
    blockers = [Reply(BLOCKER_RESPONSES[b]) for b in case.online_blockers]
    return [*blockers, OFFER_HUMAN]


def _addon(account: AccountSnapshot) -> list[Reply]:
    for subscription in account.subscriptions:
        if "toll_free" in subscription.addons:
            name = get_catalogue().name(subscription.product)
            return [Reply("utter_addon_has_toll_free", {"product_name": name})]
    return [Reply("utter_addon_no_toll_free")]


def handoff_topic(replies: list[Reply]) -> Topic | None:
    """The handoff topic the replies offer, if they offer a person."""
    return next((reply.handoff for reply in replies if reply.handoff), None)
