"""Demo accounts: one per situation of the support knowledge base.

Dates are relative to the day of seeding, so "deactivated 30 days ago" stays true
for a fresh demo. The README lists these accounts; `DEMO_ACCOUNTS` is the source of
that table (a test keeps both in step).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config.settings import FALLBACK_LANGUAGE, LANGUAGES
from bot.db.models import (
    Account,
    AccountStatus,
    AddOn,
    BillingContact,
    BillingRole,
    DeactivationReason,
    MemberRole,
    PaymentMethod,
    PlanType,
    Product,
    Subscription,
    TeamMembership,
)
from bot.nlu.catalogue import get_catalogue

# The demo accounts' plans; their names come from the product catalogue.
DEMO_PLANS = ("meetings", "webinar", "training")
PRODUCTS = {code: get_catalogue().name(code) for code in DEMO_PLANS}


@dataclass(frozen=True)
class Plan:
    product: str
    plan_type: PlanType
    term_months: int
    started_months_ago: int  # the current period started this many months ago
    toll_free: bool = False
    cancellable_online: bool = True


@dataclass(frozen=True)
class DemoAccount:
    public_id: str
    email: str
    situation: str
    status: AccountStatus = AccountStatus.ACTIVE
    status_days_ago: int = 400
    language: str = FALLBACK_LANGUAGE
    username: str | None = None
    balance_cents: int = 0
    first_failed_charge_days_ago: int | None = None
    deactivation_reason: DeactivationReason | None = None
    is_admin: bool = False
    plans: tuple[Plan, ...] = ()
    card_last4: str = "4242"
    billing_address: str = "Via Roma 1, 20121 Milano, IT"
    # other people on the account: (email, billing role)
    contacts: tuple[tuple[str, BillingRole], ...] = field(default_factory=tuple)
    # accounts (public ids) on which this email is a collaborator
    collaborator_on: tuple[str, ...] = ()


MONTHLY_MEETINGS = Plan("meetings", PlanType.MONTHLY, 1, 0)
ANNUAL_MEETINGS = Plan("meetings", PlanType.ANNUAL, 12, 5)

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        "AC-100001",
        "active@example.com",
        "active and fine (annual plan)",
        language="it",
        plans=(ANNUAL_MEETINGS,),
    ),
    DemoAccount(
        "AC-100002",
        "trial.expired@example.com",
        "free trial expired",
        status=AccountStatus.TRIAL_EXPIRED,
        status_days_ago=12,
        language="fr",
    ),
    DemoAccount(
        "AC-100003",
        "sub.expired@example.com",
        "paid subscription expired",
        status=AccountStatus.SUBSCRIPTION_EXPIRED,
        status_days_ago=20,
    ),
    DemoAccount(
        "AC-100004",
        "suspended@example.com",
        "suspended: products removed by an administrator",
        status=AccountStatus.SUSPENDED,
        status_days_ago=3,
        language="it",
        is_admin=True,
    ),
    DemoAccount(
        "AC-100005",
        "deleted.by.admin@example.com",
        "deleted by an administrator",
        status=AccountStatus.DELETED_BY_ADMIN,
        status_days_ago=8,
        language="fr",
    ),
    DemoAccount(
        "AC-100006",
        "limited@example.com",
        "limited: negative balance, charges being retried",
        status=AccountStatus.LIMITED,
        status_days_ago=20,
        balance_cents=-4900,
        first_failed_charge_days_ago=20,
        plans=(MONTHLY_MEETINGS,),
    ),
    DemoAccount(
        "AC-100007",
        "deactivated.recent@example.com",
        "deactivated 30 days ago (can be reactivated)",
        status=AccountStatus.DEACTIVATED,
        status_days_ago=30,
        language="it",
        deactivation_reason=DeactivationReason.OWNER_CANCELLED,
    ),
    DemoAccount(
        "AC-100008",
        "deactivated.old@example.com",
        "deactivated 200 days ago (past the reactivation window)",
        status=AccountStatus.DEACTIVATED,
        status_days_ago=200,
        language="fr",
        deactivation_reason=DeactivationReason.NON_PAYMENT,
    ),
    DemoAccount(
        "AC-100009",
        "username.login@example.com",
        "logs in with the username marco_demo, not the email",
        username="marco_demo",
        language="it",
        plans=(MONTHLY_MEETINGS,),
    ),
    DemoAccount(
        "AC-100010",
        "conflict@example.com",
        "owner here and collaborator on AC-100001 (login conflict)",
        collaborator_on=("AC-100001",),
        plans=(MONTHLY_MEETINGS,),
    ),
    DemoAccount(
        "AC-100011",
        "contract15@example.com",
        "15-month contract, renews in about 2 months (teammate.admin@example.com "
        "is a product admin, not a billing admin)",
        language="fr",
        plans=(Plan("webinar", PlanType.FIXED_TERM, 15, 13, cancellable_online=False),),
        contacts=(("teammate.admin@example.com", BillingRole.PRODUCT_ADMIN),),
        billing_address="12 rue de la Paix, 75002 Paris, FR",
        card_last4="1881",
    ),
    DemoAccount(
        "AC-100012",
        "monthly@example.com",
        "monthly plan",
        plans=(Plan("training", PlanType.MONTHLY, 1, 0),),
        billing_address="221B Baker Street, London NW1 6XE, GB",
        card_last4="5100",
    ),
    DemoAccount(
        "AC-100013",
        "tollfree@example.com",
        "meetings plan with the toll-free add-on",
        language="it",
        plans=(Plan("meetings", PlanType.ANNUAL, 12, 2, toll_free=True),),
        card_last4="0005",
    ),
)


def _period(today: date, plan: Plan) -> tuple[date, date]:
    """Start and end of the current period, for a plan that started N months ago."""
    start = today.replace(day=1) if plan.plan_type is PlanType.MONTHLY else today
    start = start - relativedelta(months=plan.started_months_ago)
    return start, start + relativedelta(months=plan.term_months) - timedelta(days=1)


def _products(session: Session) -> dict[str, Product]:
    existing = {p.code: p for p in session.scalars(select(Product))}
    for code, name in PRODUCTS.items():
        if code not in existing:
            existing[code] = Product(code=code, name=name)
            session.add(existing[code])
    return existing


def seed_demo(session: Session, today: date) -> int:
    """Create the demo accounts that are missing; return how many were created."""
    products = _products(session)
    known = set(session.scalars(select(Account.public_id)))
    created: dict[str, Account] = {}
    for demo in DEMO_ACCOUNTS:
        if demo.public_id in known:
            continue
        account = Account(
            public_id=demo.public_id,
            email=demo.email,
            username=demo.username,
            language=demo.language,
            status=demo.status,
            status_since=today - timedelta(days=demo.status_days_ago),
            deactivation_reason=demo.deactivation_reason,
            balance_cents=demo.balance_cents,
            first_failed_charge_on=(
                today - timedelta(days=demo.first_failed_charge_days_ago)
                if demo.first_failed_charge_days_ago is not None
                else None
            ),
            is_admin=demo.is_admin,
            created_on=today - timedelta(days=500),
        )
        account.memberships.append(TeamMembership(email=demo.email, role=MemberRole.OWNER))
        account.billing_contacts.append(
            BillingContact(email=demo.email, role=BillingRole.BILLING_ADMIN)
        )
        for email, role in demo.contacts:
            account.billing_contacts.append(BillingContact(email=email, role=role))
        account.payment_methods.append(
            PaymentMethod(card_last4=demo.card_last4, billing_address=demo.billing_address)
        )
        for plan in demo.plans:
            start, end = _period(today, plan)
            subscription = Subscription(
                product=products[plan.product],
                plan_type=plan.plan_type,
                term_months=plan.term_months,
                start_date=start,
                end_date=end,
                auto_renew=True,
                cancellable_online=plan.cancellable_online,
            )
            if plan.toll_free:
                subscription.addons.append(AddOn(code="toll_free", started_on=start))
            account.subscriptions.append(subscription)
        session.add(account)
        created[demo.public_id] = account
    session.flush()
    _link_collaborators(session, created)
    return len(created)


def _link_collaborators(session: Session, created: dict[str, Account]) -> None:
    for demo in DEMO_ACCOUNTS:
        if demo.public_id not in created:
            continue
        for public_id in demo.collaborator_on:
            other = session.scalar(select(Account).where(Account.public_id == public_id))
            if other is not None:
                session.add(
                    TeamMembership(
                        account_id=other.id,
                        email=demo.email,
                        role=MemberRole.COLLABORATOR,
                    )
                )


def count_accounts(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Account)) or 0


# The demo desk sign-in (printed by `make run`). Never run seed-demo in production.
DEMO_AGENT = ("demo", "Alex", "demo-agent-password")


def seed_demo_agent(session: Session, now: datetime) -> bool:
    """Create the demo agent (all three language teams) if missing."""
    from bot.services.agents.roster import create_agent, get_agent

    username, name, password = DEMO_AGENT
    if get_agent(session, username) is not None:
        return False
    create_agent(session, username, name, password, LANGUAGES, now)
    return True
