"""Cancelling a subscription: who may, how, and what happens when (knowledge base §4).

Cancelling turns auto-renewal off; the plan stays active until its end date and
nothing is refunded. Fixed-term contracts must be cancelled at least
`contract_notice_days` before renewal, or one more period is billed. Product data
is deleted `data_deletion_days` after the cancellation takes effect.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from bot.config.policy import Policy
from bot.db.models import BillingRole, PlanType
from bot.services.dates import format_date
from bot.services.identity.accounts import AccountSnapshot, SubscriptionSnapshot

# Besides a billing admin, these roles may cancel a contract (not online, though).
CONTRACT_CANCELLERS = frozenset({BillingRole.PRODUCT_ADMIN, BillingRole.AUTHORISED_BILLING_CONTACT})


class OnlineBlocker(str, enum.Enum):
    """Why online cancellation is not possible (§4), in the order support checks them."""

    NOT_BILLING_ADMIN = "not_billing_admin"
    NOT_OFFERED_ONLINE = "not_offered_online"
    BALANCE_DUE = "balance_due"


class NoSubscriptionError(LookupError):
    """The account has no such subscription (or no active one) to cancel."""


@dataclass(frozen=True)
class CancellationCase:
    product: str
    plan_type: PlanType
    end_date: date  # stays active until this day; no refund for the rest
    renewal_date: date  # the day after end_date: when it would renew
    already_cancelled: bool  # auto-renewal is already off
    may_cancel: bool  # the requester may cancel at all (online or through support)
    can_cancel_online: bool
    online_blockers: tuple[OnlineBlocker, ...]
    notice_deadline: date | None  # fixed-term only: last day to give notice
    notice_passed: bool  # too late for this renewal: one more period will be billed
    effective_end_date: date  # end_date, or the end of that extra period
    data_deletion_date: date  # effective_end_date + data_deletion_days
    months_left: int  # months of the current period still charged, this one included


def cancellation_case(
    account: AccountSnapshot,
    requester_email: str,
    today: date,
    policy: Policy,
    product: str | None = None,
) -> CancellationCase:
    """The §4 facts for cancelling `product` (else the first active subscription).

    Raises NoSubscriptionError if there is nothing to cancel.
    """
    subscription = _pick_subscription(account, today, product)
    roles = account.roles_of(requester_email)
    is_billing_admin = BillingRole.BILLING_ADMIN in roles
    is_contract = subscription.plan_type is PlanType.FIXED_TERM
    may_cancel = is_billing_admin or (is_contract and bool(roles & CONTRACT_CANCELLERS))

    blockers: list[OnlineBlocker] = []
    if not is_billing_admin:
        blockers.append(OnlineBlocker.NOT_BILLING_ADMIN)
    if not subscription.cancellable_online:
        blockers.append(OnlineBlocker.NOT_OFFERED_ONLINE)
    if account.balance_cents < 0:
        blockers.append(OnlineBlocker.BALANCE_DUE)

    already_cancelled = subscription.cancelled_at is not None or not subscription.auto_renew
    renewal_date = subscription.end_date + timedelta(days=1)
    notice_deadline = None
    notice_passed = False
    effective_end_date = subscription.end_date
    if is_contract:
        notice_deadline = renewal_date - timedelta(days=policy.contract_notice_days)
        # Notice given on the deadline itself is still in time.
        notice_passed = not already_cancelled and today > notice_deadline
        if notice_passed:
            effective_end_date = _period_end(renewal_date, subscription.term_months)

    return CancellationCase(
        product=subscription.product,
        plan_type=subscription.plan_type,
        end_date=subscription.end_date,
        renewal_date=renewal_date,
        already_cancelled=already_cancelled,
        may_cancel=may_cancel,
        can_cancel_online=not blockers,
        online_blockers=tuple(blockers),
        notice_deadline=notice_deadline,
        notice_passed=notice_passed,
        effective_end_date=effective_end_date,
        data_deletion_date=effective_end_date + timedelta(days=policy.data_deletion_days),
        months_left=_months_left(subscription, today),
    )


def _pick_subscription(
    account: AccountSnapshot, today: date, product: str | None
) -> SubscriptionSnapshot:
    if product is not None:
        wanted = product.strip().lower()
        matching = [s for s in account.subscriptions if s.product.lower() == wanted]
        if matching:
            return max(matching, key=lambda s: s.end_date)  # the current one, if renewed
        raise NoSubscriptionError(f"{account.public_id} has no '{product}' subscription")
    for subscription in account.subscriptions:
        if subscription.end_date >= today:
            return subscription
    raise NoSubscriptionError(f"{account.public_id} has no active subscription")


def _period_end(start: date, term_months: int) -> date:
    """Last day of a period of `term_months` starting on `start`."""
    return start + relativedelta(months=term_months) - timedelta(days=1)


def _months_left(subscription: SubscriptionSnapshot, today: date) -> int:
    # Months are counted from the period's start, and a started month is charged in
    # full: an annual plan cancelled after 6 months has 6 left, a monthly plan 1.
    elapsed = relativedelta(today, subscription.start_date)
    months_elapsed = elapsed.years * 12 + elapsed.months
    return max(0, min(subscription.term_months, subscription.term_months - months_elapsed))


def cancellation_variables(case: CancellationCase, language: str) -> dict[str, str]:
    """Template variables of the cancellation replies, dates in `language`."""
    dates = {
        "end_date": case.end_date,
        "renewal_date": case.renewal_date,
        "effective_end_date": case.effective_end_date,
        "data_deletion_date": case.data_deletion_date,
    }
    if case.notice_deadline is not None:
        dates["notice_deadline"] = case.notice_deadline
    variables = {name: format_date(value, language) for name, value in dates.items()}
    variables["months_left"] = str(case.months_left)
    return variables
