"""Every cancellation case of §4: plan types, notice period, who may cancel, blockers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.db.models import AccountStatus, BillingRole, PlanType
from bot.services.account.cancellation import (
    NoSubscriptionError,
    OnlineBlocker,
    cancellation_case,
    cancellation_variables,
)
from bot.services.identity.accounts import AccountSnapshot, SubscriptionSnapshot
from tests.support.services import KNOWLEDGE_BASE_POLICY, TODAY

OWNER = "owner@example.com"
PRODUCT_ADMIN = "teammate.admin@example.com"
BILLING_CONTACT = "accounts@example.com"

POLICY = KNOWLEDGE_BASE_POLICY

MONTHLY = SubscriptionSnapshot(
    product="training",
    plan_type=PlanType.MONTHLY,
    term_months=1,
    start_date=date(2026, 11, 1),
    end_date=date(2026, 11, 30),
    auto_renew=True,
    cancelled_at=None,
    cancellable_online=True,
)
# Started six months ago: the §4 example "cancelled after 6 months, 6 more months".
ANNUAL = SubscriptionSnapshot(
    product="meetings",
    plan_type=PlanType.ANNUAL,
    term_months=12,
    start_date=date(2026, 5, 22),
    end_date=date(2027, 5, 21),
    auto_renew=True,
    cancelled_at=None,
    cancellable_online=True,
    addons=frozenset({"toll_free"}),
)
# 15-month contract with 3 months left: renewal 1 Feb 2027, notice by 2 Jan 2027.
CONTRACT_FAR = SubscriptionSnapshot(
    product="webinar",
    plan_type=PlanType.FIXED_TERM,
    term_months=15,
    start_date=date(2025, 11, 1),
    end_date=date(2027, 1, 31),
    auto_renew=True,
    cancelled_at=None,
    cancellable_online=True,
)
# 15-month contract renewing on 10 Dec 2026: the notice deadline was 10 Nov 2026.
CONTRACT_NEAR = replace(CONTRACT_FAR, start_date=date(2025, 9, 10), end_date=date(2026, 12, 9))


def make_account(*subscriptions: SubscriptionSnapshot, **changes: object) -> AccountSnapshot:
    account = AccountSnapshot(
        public_id="AC-104233",
        email=OWNER,
        username=None,
        status=AccountStatus.ACTIVE,
        status_since=date(2025, 1, 10),
        deactivation_reason=None,
        balance_cents=0,
        first_failed_charge_on=None,
        is_admin=True,
        collaborator_elsewhere=False,
        subscriptions=subscriptions,
        billing_roles={
            OWNER: frozenset({BillingRole.BILLING_ADMIN}),
            PRODUCT_ADMIN: frozenset({BillingRole.PRODUCT_ADMIN}),
            BILLING_CONTACT: frozenset({BillingRole.AUTHORISED_BILLING_CONTACT}),
        },
    )
    return replace(account, **changes)  # type: ignore[arg-type]


def test_monthly_plan_stays_active_to_month_end() -> None:
    case = cancellation_case(make_account(MONTHLY), OWNER, TODAY, POLICY)
    assert case.product == "training"
    assert case.plan_type is PlanType.MONTHLY
    assert case.end_date == case.effective_end_date == date(2026, 11, 30)
    assert case.renewal_date == date(2026, 12, 1)
    assert case.months_left == 1  # mid-month: the whole month is charged
    assert case.data_deletion_date == date(2027, 2, 28)
    assert case.notice_deadline is None and not case.notice_passed
    assert case.may_cancel and case.can_cancel_online and case.online_blockers == ()
    assert not case.already_cancelled


def test_annual_plan_cancelled_after_six_months_has_six_left() -> None:
    case = cancellation_case(make_account(ANNUAL), OWNER, TODAY, POLICY)
    assert case.plan_type is PlanType.ANNUAL
    assert case.end_date == case.effective_end_date == date(2027, 5, 21)
    assert case.months_left == 6
    assert case.data_deletion_date == date(2027, 8, 19)
    assert case.notice_deadline is None and not case.notice_passed
    assert case.can_cancel_online


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("it", {"end_date": "21 maggio 2027", "data_deletion_date": "19 agosto 2027"}),
        ("fr", {"end_date": "21 mai 2027", "data_deletion_date": "19 août 2027"}),
        ("en", {"end_date": "21 May 2027", "data_deletion_date": "19 August 2027"}),
    ],
)
def test_annual_plan_dates_in_each_language(language: str, expected: dict[str, str]) -> None:
    case = cancellation_case(make_account(ANNUAL), OWNER, TODAY, POLICY)
    variables = cancellation_variables(case, language)
    assert {name: variables[name] for name in expected} == expected
    assert variables["months_left"] == "6"
    assert "notice_deadline" not in variables


def test_contract_far_from_renewal_is_in_time() -> None:
    case = cancellation_case(make_account(CONTRACT_FAR), OWNER, TODAY, POLICY)
    assert case.plan_type is PlanType.FIXED_TERM
    assert case.end_date == case.effective_end_date == date(2027, 1, 31)
    assert case.renewal_date == date(2027, 2, 1)
    assert case.notice_deadline == date(2027, 1, 2)
    assert not case.notice_passed
    assert case.months_left == 3  # the §4 example: charged for the remaining 3 months
    assert case.data_deletion_date == date(2027, 5, 1)


def test_contract_near_renewal_bills_one_more_period() -> None:
    case = cancellation_case(make_account(CONTRACT_NEAR), OWNER, TODAY, POLICY)
    assert case.end_date == date(2026, 12, 9)
    assert case.renewal_date == date(2026, 12, 10)
    assert case.notice_deadline == date(2026, 11, 10)
    assert case.notice_passed
    assert case.months_left == 1
    # one more 15-month period is billed, and the data outlives it by 90 days
    assert case.effective_end_date == date(2028, 3, 9)
    assert case.data_deletion_date == date(2028, 6, 7)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "it",
            {
                "end_date": "9 dicembre 2026",
                "renewal_date": "10 dicembre 2026",
                "notice_deadline": "10 novembre 2026",
                "effective_end_date": "9 marzo 2028",
                "data_deletion_date": "7 giugno 2028",
                "months_left": "1",
            },
        ),
        (
            "fr",
            {
                "end_date": "9 décembre 2026",
                "renewal_date": "10 décembre 2026",
                "notice_deadline": "10 novembre 2026",
                "effective_end_date": "9 mars 2028",
                "data_deletion_date": "7 juin 2028",
                "months_left": "1",
            },
        ),
        (
            "en",
            {
                "end_date": "9 December 2026",
                "renewal_date": "10 December 2026",
                "notice_deadline": "10 November 2026",
                "effective_end_date": "9 March 2028",
                "data_deletion_date": "7 June 2028",
                "months_left": "1",
            },
        ),
    ],
)
def test_contract_near_renewal_variables(language: str, expected: dict[str, str]) -> None:
    case = cancellation_case(make_account(CONTRACT_NEAR), OWNER, TODAY, POLICY)
    assert cancellation_variables(case, language) == expected


@pytest.mark.parametrize(
    ("today", "passed"),
    [(date(2027, 1, 1), False), (date(2027, 1, 2), False), (date(2027, 1, 3), True)],
)
def test_notice_on_the_deadline_is_still_in_time(today: date, passed: bool) -> None:
    case = cancellation_case(make_account(CONTRACT_FAR), OWNER, today, POLICY)
    assert case.notice_passed is passed


def test_notice_period_comes_from_the_policy() -> None:
    longer = replace(POLICY, contract_notice_days=90)
    case = cancellation_case(make_account(CONTRACT_FAR), OWNER, TODAY, longer)
    assert case.notice_deadline == date(2026, 11, 3)
    assert case.notice_passed


def test_already_cancelled_contract_is_not_billed_again() -> None:
    cancelled = replace(CONTRACT_NEAR, auto_renew=False, cancelled_at=date(2026, 10, 1))
    case = cancellation_case(make_account(cancelled), OWNER, TODAY, POLICY)
    assert case.already_cancelled
    assert not case.notice_passed
    assert case.effective_end_date == date(2026, 12, 9)


@pytest.mark.parametrize("requester", [PRODUCT_ADMIN, BILLING_CONTACT])
def test_product_admin_or_billing_contact_may_cancel_a_contract_but_not_online(
    requester: str,
) -> None:
    case = cancellation_case(make_account(CONTRACT_FAR), requester, TODAY, POLICY)
    assert case.may_cancel
    assert not case.can_cancel_online
    assert case.online_blockers == (OnlineBlocker.NOT_BILLING_ADMIN,)


@pytest.mark.parametrize("requester", [PRODUCT_ADMIN, BILLING_CONTACT, "stranger@example.com"])
def test_only_a_billing_admin_may_cancel_a_monthly_or_annual_plan(requester: str) -> None:
    for subscription in (MONTHLY, ANNUAL):
        case = cancellation_case(make_account(subscription), requester, TODAY, POLICY)
        assert not case.may_cancel
        assert case.online_blockers == (OnlineBlocker.NOT_BILLING_ADMIN,)


def test_requester_email_is_matched_case_insensitively() -> None:
    case = cancellation_case(make_account(MONTHLY), " Owner@Example.COM ", TODAY, POLICY)
    assert case.may_cancel and case.can_cancel_online


def test_balance_due_blocks_online_cancellation() -> None:
    account = make_account(ANNUAL, balance_cents=-4900)
    case = cancellation_case(account, OWNER, TODAY, POLICY)
    assert case.may_cancel
    assert not case.can_cancel_online
    assert case.online_blockers == (OnlineBlocker.BALANCE_DUE,)


def test_credit_balance_does_not_block() -> None:
    case = cancellation_case(make_account(ANNUAL, balance_cents=1500), OWNER, TODAY, POLICY)
    assert case.can_cancel_online


def test_subscription_not_offered_online() -> None:
    offline = replace(CONTRACT_FAR, cancellable_online=False)
    case = cancellation_case(make_account(offline), OWNER, TODAY, POLICY)
    assert case.may_cancel
    assert case.online_blockers == (OnlineBlocker.NOT_OFFERED_ONLINE,)


def test_every_blocker_is_reported() -> None:
    offline = replace(CONTRACT_FAR, cancellable_online=False)
    account = make_account(offline, balance_cents=-100)
    case = cancellation_case(account, PRODUCT_ADMIN, TODAY, POLICY)
    assert case.may_cancel
    assert case.online_blockers == (
        OnlineBlocker.NOT_BILLING_ADMIN,
        OnlineBlocker.NOT_OFFERED_ONLINE,
        OnlineBlocker.BALANCE_DUE,
    )


def test_product_picks_the_subscription() -> None:
    account = make_account(MONTHLY, ANNUAL, CONTRACT_FAR)
    assert cancellation_case(account, OWNER, TODAY, POLICY).product == "training"
    assert cancellation_case(account, OWNER, TODAY, POLICY, "Webinar").product == "webinar"


def test_first_active_subscription_is_the_default() -> None:
    ended = replace(MONTHLY, start_date=date(2026, 10, 1), end_date=date(2026, 10, 31))
    account = make_account(ended, ANNUAL)
    assert cancellation_case(account, OWNER, TODAY, POLICY).product == "meetings"


def test_nothing_to_cancel() -> None:
    with pytest.raises(NoSubscriptionError):
        cancellation_case(make_account(), OWNER, TODAY, POLICY)
    with pytest.raises(NoSubscriptionError):
        cancellation_case(make_account(MONTHLY), OWNER, TODAY, POLICY, product="webinar")
