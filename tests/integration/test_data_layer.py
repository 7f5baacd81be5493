"""The data layer on SQLite and on the real PostgreSQL server: migrations, demo data
and the situations of the knowledge base (§1, §4)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.migrate import downgrade, upgrade
from bot.db.models import (
    Account,
    AccountStatus,
    BillingContact,
    BillingRole,
    MemberRole,
    PlanType,
    Subscription,
    TeamMembership,
)
from bot.db.session import make_engine
from bot.ops.demo_data import DEMO_ACCOUNTS, seed_demo
from tests.support.environment import TODAY

TABLES = {
    "accounts", "team_memberships", "products", "subscriptions", "addons",
    "billing_contacts", "payment_methods", "verification_challenges", "reset_tokens",
    "handoff_tickets", "audit_log", "service_incidents", "mail_outbox",
}  # fmt: skip


def _account(session: Session, email: str) -> Account:
    return session.scalars(select(Account).where(Account.email == email)).one()


def test_migrations_create_every_table_and_downgrade_removes_them(
    database_url: str,
) -> None:
    upgrade(database_url)
    engine = make_engine(database_url)
    assert set(inspect(engine).get_table_names()) >= TABLES
    engine.dispose()
    downgrade(database_url)
    engine = make_engine(database_url)
    assert not TABLES & set(inspect(engine).get_table_names())
    engine.dispose()


def test_every_demo_situation_is_seeded_once(session: Session) -> None:
    emails = set(session.scalars(select(Account.email)))
    assert emails == {demo.email for demo in DEMO_ACCOUNTS}
    assert seed_demo(session, TODAY) == 0  # idempotent


def test_deactivated_dates_are_relative_to_today(session: Session) -> None:
    recent = _account(session, "deactivated.recent@example.com")
    old = _account(session, "deactivated.old@example.com")
    assert recent.status is AccountStatus.DEACTIVATED
    assert recent.status_since == TODAY - timedelta(days=30)
    assert old.status_since == TODAY - timedelta(days=200)


def test_limited_account_owes_money_since_first_failed_charge(session: Session) -> None:
    limited = _account(session, "limited@example.com")
    assert limited.status is AccountStatus.LIMITED
    assert limited.balance_cents < 0
    assert limited.first_failed_charge_on == TODAY - timedelta(days=20)


def test_email_can_own_one_account_and_collaborate_on_another(session: Session) -> None:
    rows = session.execute(
        select(TeamMembership.role, Account.public_id)
        .join(Account)
        .where(TeamMembership.email == "conflict@example.com")
    ).all()
    assert set(rows) == {
        (MemberRole.OWNER, "AC-100010"),
        (MemberRole.COLLABORATOR, "AC-100001"),
    }


def test_fifteen_month_contract_and_its_roles(session: Session) -> None:
    account = _account(session, "contract15@example.com")
    (subscription,) = account.subscriptions
    assert subscription.plan_type is PlanType.FIXED_TERM
    assert subscription.term_months == 15
    assert subscription.cancellable_online is False
    assert subscription.end_date > TODAY
    roles = {(c.email, c.role) for c in account.billing_contacts}
    assert ("teammate.admin@example.com", BillingRole.PRODUCT_ADMIN) in roles
    assert ("contract15@example.com", BillingRole.BILLING_ADMIN) in roles


def test_toll_free_addon_and_payment_method_last_four_only(session: Session) -> None:
    account = _account(session, "tollfree@example.com")
    assert [a.code for s in account.subscriptions for a in s.addons] == ["toll_free"]
    (payment,) = account.payment_methods
    assert len(payment.card_last4) == 4 and payment.card_last4.isdigit()


def test_username_account(session: Session) -> None:
    account = session.scalars(select(Account).where(Account.username == "marco_demo")).one()
    assert account.email == "username.login@example.com"


def test_monthly_plan_ends_at_month_end(session: Session) -> None:
    account = _account(session, "monthly@example.com")
    (subscription,) = account.subscriptions
    assert subscription.plan_type is PlanType.MONTHLY
    assert subscription.end_date == date(2026, 11, 30)


def test_registered_email_is_unique(session: Session) -> None:
    duplicate = Account(
        public_id="AC-999999", email="active@example.com", status=AccountStatus.ACTIVE,
        status_since=TODAY, created_on=TODAY, language="en", balance_cents=0, is_admin=False,
    )  # fmt: skip
    session.add(duplicate)
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_unknown_status_value_is_rejected(session: Session) -> None:
    contact = session.scalars(select(BillingContact)).first()
    assert contact is not None
    subscription = session.scalars(select(Subscription)).first()
    assert subscription is not None
    with pytest.raises(Exception):  # noqa: B017 - the Enum type refuses the value
        session.add(
            Account(
                public_id="AC-999998",
                email="x@example.com",
                status="hibernating",
                status_since=TODAY,
                created_on=TODAY,
                language="en",
            )
        )
        session.flush()
    session.rollback()
