"""Find an account and copy what the business rules need into plain, frozen data.

The rules in `diagnosis` and `cancellation` take an `AccountSnapshot`, never an ORM
object, so they can be tested without a database and cannot lazy-load by accident.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.db.models import (
    Account,
    AccountStatus,
    BillingRole,
    DeactivationReason,
    MemberRole,
    PlanType,
    Subscription,
    TeamMembership,
)
from bot.nlu.entity_rules import ACCOUNT_ID


@dataclass(frozen=True)
class SubscriptionSnapshot:
    product: str  # product code: meetings, webinar, training
    plan_type: PlanType
    term_months: int
    start_date: date
    end_date: date  # last day of the current period; it renews the day after
    auto_renew: bool
    cancelled_at: date | None
    cancellable_online: bool
    addons: frozenset[str] = frozenset()  # codes of add-ons not cancelled


@dataclass(frozen=True)
class AccountSnapshot:
    public_id: str
    email: str  # registered email, lowercase
    username: str | None
    status: AccountStatus
    status_since: date
    deactivation_reason: DeactivationReason | None
    balance_cents: int  # negative: the customer owes money
    first_failed_charge_on: date | None
    is_admin: bool
    collaborator_elsewhere: bool  # the registered email is a collaborator on another account
    subscriptions: tuple[SubscriptionSnapshot, ...] = ()
    billing_roles: dict[str, frozenset[BillingRole]] = field(default_factory=dict)

    def roles_of(self, email: str) -> frozenset[BillingRole]:
        """Billing roles of `email` on this account (case-insensitive)."""
        return self.billing_roles.get(email.strip().lower(), frozenset())


def normalise_public_id(identifier: str) -> str | None:
    """The stored form of an account ID ("ac 104233" -> "AC-104233"), or None.

    The NLU's pattern, so an ID the assistant recognises in a message is one it finds.
    """
    match = ACCOUNT_ID.fullmatch(identifier.strip())
    return f"AC-{match.group(1)}" if match else None


def _registered_email_is(email: str) -> ColumnElement[bool]:
    """The one rule for matching a registered email: case and surrounding spaces ignored."""
    return func.lower(Account.email) == email.strip().lower()


def account_by_email(session: Session, email: str) -> Account | None:
    """The account whose registered email is `email`."""
    return session.scalars(select(Account).where(_registered_email_is(email))).first()


def find_account_id(session: Session, identifier: str) -> int | None:
    """The account whose registered email, public ID or username is `identifier`."""
    text = identifier.strip()
    if not text:
        return None
    # Every lookup the identifier's shape allows runs, found or not: which queries run
    # (and so how long this takes) depends on what was typed, never on what exists.
    by_email = None
    if "@" in text:
        by_email = session.scalar(select(Account.id).where(_registered_email_is(text)))
    public_id = normalise_public_id(text)
    by_public_id = None
    if public_id is not None:
        by_public_id = session.scalar(select(Account.id).where(Account.public_id == public_id))
    by_username = _find_by_username(session, text)
    return next((found for found in (by_email, by_public_id, by_username) if found), None)


def _find_by_username(session: Session, username: str) -> int | None:
    # Usernames are unique as stored, not case-folded: prefer an exact match, and
    # accept a case-insensitive one only when it is unambiguous.
    rows = session.execute(
        select(Account.id, Account.username).where(func.lower(Account.username) == username.lower())
    ).all()
    exact = [row.id for row in rows if row.username == username]
    if exact:
        return exact[0]
    return rows[0].id if len(rows) == 1 else None


def load_snapshot(session: Session, account_id: int) -> AccountSnapshot | None:
    """Everything the rules need about one account, or None if it does not exist."""
    account = session.get(Account, account_id)
    if account is None:
        return None
    subscriptions = session.scalars(
        select(Subscription).where(Subscription.account_id == account.id).order_by(Subscription.id)
    ).all()
    return AccountSnapshot(
        public_id=account.public_id,
        email=account.email.lower(),
        username=account.username,
        status=account.status,
        status_since=account.status_since,
        deactivation_reason=account.deactivation_reason,
        balance_cents=account.balance_cents,
        first_failed_charge_on=account.first_failed_charge_on,
        is_admin=account.is_admin,
        collaborator_elsewhere=_is_collaborator_elsewhere(session, account),
        subscriptions=tuple(_subscription_snapshot(s) for s in subscriptions),
        billing_roles=_billing_roles(account),
    )


def _is_collaborator_elsewhere(session: Session, account: Account) -> bool:
    # The login conflict of §1: the same email owns this account and is a team
    # member of another one.
    found = session.scalar(
        select(TeamMembership.id)
        .where(func.lower(TeamMembership.email) == account.email.lower())
        .where(TeamMembership.role == MemberRole.COLLABORATOR)
        .where(TeamMembership.account_id != account.id)
        .limit(1)
    )
    return found is not None


def _subscription_snapshot(subscription: Subscription) -> SubscriptionSnapshot:
    return SubscriptionSnapshot(
        product=subscription.product.code,
        plan_type=subscription.plan_type,
        term_months=subscription.term_months,
        start_date=subscription.start_date,
        end_date=subscription.end_date,
        auto_renew=subscription.auto_renew,
        cancelled_at=subscription.cancelled_at,
        cancellable_online=subscription.cancellable_online,
        addons=frozenset(a.code for a in subscription.addons if a.cancelled_at is None),
    )


def _billing_roles(account: Account) -> dict[str, frozenset[BillingRole]]:
    roles: dict[str, set[BillingRole]] = defaultdict(set)
    for contact in account.billing_contacts:
        roles[contact.email.lower()].add(contact.role)
    return {email: frozenset(found) for email, found in roles.items()}
