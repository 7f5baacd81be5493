"""Finding accounts and loading snapshots, against the demo data in a real SQLite DB."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from bot.db.migrate import upgrade
from bot.db.models import AccountStatus, BillingRole, PlanType
from bot.db.session import make_engine
from bot.ops.demo_data import DEMO_ACCOUNTS, seed_demo
from bot.services.account.cancellation import OnlineBlocker, cancellation_case
from bot.services.account.diagnosis import Cause, diagnose
from bot.services.identity.accounts import AccountSnapshot, find_account_id, load_snapshot
from tests.support.services import KNOWLEDGE_BASE_POLICY, TODAY

POLICY = KNOWLEDGE_BASE_POLICY

EXPECTED_CAUSES = {
    "AC-100001": Cause.ACTIVE_OK,
    "AC-100002": Cause.TRIAL_EXPIRED,
    "AC-100003": Cause.SUBSCRIPTION_EXPIRED,
    "AC-100004": Cause.SUSPENDED,
    "AC-100005": Cause.DELETED_BY_ADMIN,
    "AC-100006": Cause.LIMITED,
    "AC-100007": Cause.DEACTIVATED_REACTIVATABLE,
    "AC-100008": Cause.DEACTIVATED_EXPIRED,
    "AC-100009": Cause.USERNAME_LOGIN,
    "AC-100010": Cause.EMAIL_CONFLICT,
    "AC-100011": Cause.ACTIVE_OK,
    "AC-100012": Cause.ACTIVE_OK,
    "AC-100013": Cause.ACTIVE_OK,
}


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('accounts')) / 'accounts.db'}"
    upgrade(url)
    engine = make_engine(url)
    with Session(engine, future=True) as session:
        seed_demo(session, TODAY)
        session.commit()
        yield session
    engine.dispose()


def snapshot(session: Session, identifier: str) -> AccountSnapshot:
    account_id = find_account_id(session, identifier)
    assert account_id is not None, identifier
    loaded = load_snapshot(session, account_id)
    assert loaded is not None
    return loaded


@pytest.mark.parametrize(
    "email", ["limited@example.com", "LIMITED@Example.com", "  limited@example.com "]
)
def test_find_by_email_in_any_case(session: Session, email: str) -> None:
    assert snapshot(session, email).public_id == "AC-100006"


@pytest.mark.parametrize("username", ["marco_demo", "Marco_Demo"])
def test_find_by_username(session: Session, username: str) -> None:
    assert snapshot(session, username).public_id == "AC-100009"


@pytest.mark.parametrize("public_id", ["AC-100011", "ac100011", "AC 100011", "ac-100011"])
def test_find_by_account_id_however_it_is_typed(session: Session, public_id: str) -> None:
    assert snapshot(session, public_id).public_id == "AC-100011"


@pytest.mark.parametrize(
    "identifier", ["nobody@example.com", "AC-999999", "no_such_user", "", "   "]
)
def test_unknown_identifier(session: Session, identifier: str) -> None:
    assert find_account_id(session, identifier) is None


def test_unknown_account_id_has_no_snapshot(session: Session) -> None:
    assert load_snapshot(session, 999_999) is None


def test_every_demo_account_is_covered() -> None:
    assert set(EXPECTED_CAUSES) == {demo.public_id for demo in DEMO_ACCOUNTS}


@pytest.mark.parametrize(("public_id", "cause"), sorted(EXPECTED_CAUSES.items()))
def test_demo_situation_diagnoses_as_expected(
    session: Session, public_id: str, cause: Cause
) -> None:
    assert diagnose(snapshot(session, public_id), TODAY, POLICY).cause is cause


def test_demo_limited_account_dates(session: Session) -> None:
    account = snapshot(session, "AC-100006")
    assert account.balance_cents == -4900
    assert account.first_failed_charge_on == TODAY - timedelta(days=20)
    diagnosis = diagnose(account, TODAY, POLICY)
    assert diagnosis.dates["deactivation_date"] == TODAY + timedelta(days=70)


def test_demo_suspended_admin(session: Session) -> None:
    account = snapshot(session, "AC-100004")
    assert account.status is AccountStatus.SUSPENDED and account.is_admin
    assert diagnose(account, TODAY, POLICY).response == "utter_status_suspended_admin"


def test_demo_conflict_is_seen_only_on_the_collaborator_s_own_account(session: Session) -> None:
    assert snapshot(session, "conflict@example.com").collaborator_elsewhere
    assert not snapshot(session, "active@example.com").collaborator_elsewhere


def test_demo_subscription_and_add_on(session: Session) -> None:
    (subscription,) = snapshot(session, "tollfree@example.com").subscriptions
    assert subscription.product == "meetings"
    assert subscription.plan_type is PlanType.ANNUAL
    assert subscription.term_months == 12
    assert subscription.addons == frozenset({"toll_free"})
    assert subscription.auto_renew and subscription.cancelled_at is None


def test_demo_contract_billing_roles_and_cancellation(session: Session) -> None:
    account = snapshot(session, "contract15@example.com")
    assert account.billing_roles == {
        "contract15@example.com": frozenset({BillingRole.BILLING_ADMIN}),
        "teammate.admin@example.com": frozenset({BillingRole.PRODUCT_ADMIN}),
    }
    case = cancellation_case(account, "teammate.admin@example.com", TODAY, POLICY)
    assert case.plan_type is PlanType.FIXED_TERM
    assert case.may_cancel and not case.can_cancel_online
    assert case.online_blockers == (
        OnlineBlocker.NOT_BILLING_ADMIN,
        OnlineBlocker.NOT_OFFERED_ONLINE,
    )
    assert case.renewal_date == date(2027, 1, 22)  # "renews in about 2 months"
    assert case.notice_deadline == date(2026, 12, 23)
    assert not case.notice_passed
    assert case.months_left == 2
