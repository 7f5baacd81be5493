"""One test per row of §1 that account data can show, plus the precedence order."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from bot.db.models import AccountStatus, DeactivationReason
from bot.services.account.diagnosis import (
    RESPONSES,
    SUSPENDED_ADMIN_RESPONSE,
    Cause,
    Diagnosis,
    diagnose,
    diagnosis_variables,
)
from bot.services.identity.accounts import AccountSnapshot
from bot.services.topics import Topic
from tests.support.services import KNOWLEDGE_BASE_POLICY, TODAY

POLICY = KNOWLEDGE_BASE_POLICY


def make_account(**changes: object) -> AccountSnapshot:
    """An active account with nothing wrong; tests change only what they are about."""
    account = AccountSnapshot(
        public_id="AC-104233",
        email="giulia@example.com",
        username=None,
        status=AccountStatus.ACTIVE,
        status_since=date(2025, 1, 10),
        deactivation_reason=None,
        balance_cents=0,
        first_failed_charge_on=None,
        is_admin=False,
        collaborator_elsewhere=False,
    )
    return replace(account, **changes)  # type: ignore[arg-type]


def deactivated(days_ago: int, reason: DeactivationReason) -> AccountSnapshot:
    return make_account(
        status=AccountStatus.DEACTIVATED,
        status_since=TODAY - timedelta(days=days_ago),
        deactivation_reason=reason,
    )


def test_active_account_with_nothing_wrong() -> None:
    diagnosis = diagnose(make_account(), TODAY, POLICY)
    assert diagnosis == Diagnosis(Cause.ACTIVE_OK, "utter_status_active", {}, None)


def test_trial_expired() -> None:
    account = make_account(status=AccountStatus.TRIAL_EXPIRED, status_since=date(2026, 11, 10))
    diagnosis = diagnose(account, TODAY, POLICY)
    assert diagnosis.cause is Cause.TRIAL_EXPIRED
    assert diagnosis.response == "utter_status_trial_expired"
    assert diagnosis.dates == {"expired_on": date(2026, 11, 10)}
    assert diagnosis.handoff is None


def test_subscription_expired() -> None:
    account = make_account(
        status=AccountStatus.SUBSCRIPTION_EXPIRED, status_since=date(2026, 11, 2)
    )
    diagnosis = diagnose(account, TODAY, POLICY)
    assert diagnosis.cause is Cause.SUBSCRIPTION_EXPIRED
    assert diagnosis.response == "utter_status_subscription_expired"
    assert diagnosis.dates == {"expired_on": date(2026, 11, 2)}


def test_suspended_user() -> None:
    account = make_account(status=AccountStatus.SUSPENDED, status_since=date(2026, 11, 19))
    diagnosis = diagnose(account, TODAY, POLICY)
    assert diagnosis.cause is Cause.SUSPENDED
    assert diagnosis.response == "utter_status_suspended"
    assert diagnosis.dates == {"suspended_on": date(2026, 11, 19)}


def test_suspended_admin_is_told_the_admin_centre_still_works() -> None:
    account = make_account(
        status=AccountStatus.SUSPENDED, status_since=date(2026, 11, 19), is_admin=True
    )
    diagnosis = diagnose(account, TODAY, POLICY)
    assert diagnosis.cause is Cause.SUSPENDED
    assert diagnosis.response == SUSPENDED_ADMIN_RESPONSE == "utter_status_suspended_admin"


def test_deleted_by_admin() -> None:
    account = make_account(status=AccountStatus.DELETED_BY_ADMIN, status_since=date(2026, 11, 14))
    diagnosis = diagnose(account, TODAY, POLICY)
    assert diagnosis.cause is Cause.DELETED_BY_ADMIN
    assert diagnosis.response == "utter_status_deleted_by_admin"
    assert diagnosis.dates == {"deleted_on": date(2026, 11, 14)}


def test_limited_is_deactivated_90_days_after_the_first_failed_charge() -> None:
    account = make_account(
        status=AccountStatus.LIMITED,
        status_since=date(2026, 10, 3),
        balance_cents=-4900,
        first_failed_charge_on=date(2026, 10, 3),
    )
    diagnosis = diagnose(account, TODAY, POLICY)
    assert diagnosis.cause is Cause.LIMITED
    assert diagnosis.response == "utter_status_limited"
    assert diagnosis.dates == {
        "first_failed_charge_on": date(2026, 10, 3),
        "deactivation_date": date(2027, 1, 1),
    }
    assert diagnosis.handoff is None


@pytest.mark.parametrize(
    ("language", "expected"),
    [("it", "1 gennaio 2027"), ("fr", "1 janvier 2027"), ("en", "1 January 2027")],
)
def test_limited_deactivation_date_in_each_language(language: str, expected: str) -> None:
    account = make_account(
        status=AccountStatus.LIMITED,
        status_since=date(2026, 10, 3),
        first_failed_charge_on=date(2026, 10, 3),
    )
    variables = diagnosis_variables(diagnose(account, TODAY, POLICY), language)
    assert variables["deactivation_date"] == expected


def test_limited_without_a_recorded_failure_counts_from_when_it_became_limited() -> None:
    account = make_account(status=AccountStatus.LIMITED, status_since=date(2026, 10, 3))
    assert diagnose(account, TODAY, POLICY).dates["deactivation_date"] == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("days_ago", "cause", "handoff"),
    [
        (119, Cause.DEACTIVATED_REACTIVATABLE, Topic.REACTIVATION),
        (120, Cause.DEACTIVATED_REACTIVATABLE, Topic.REACTIVATION),  # the last day of the window
        (121, Cause.DEACTIVATED_EXPIRED, None),
    ],
)
def test_deactivated_retention_boundary(days_ago: int, cause: Cause, handoff: Topic | None) -> None:
    diagnosis = diagnose(deactivated(days_ago, DeactivationReason.NON_PAYMENT), TODAY, POLICY)
    assert diagnosis.cause is cause
    assert diagnosis.response == RESPONSES[cause]
    assert diagnosis.handoff is handoff


def test_reactivatable_account_gets_exact_dates() -> None:
    diagnosis = diagnose(deactivated(119, DeactivationReason.OWNER_CANCELLED), TODAY, POLICY)
    assert diagnosis.response == "utter_status_deactivated_reactivatable"
    assert diagnosis.dates == {
        "deactivated_on": date(2026, 7, 26),
        "reactivation_deadline": date(2026, 11, 23),
    }


def test_expired_window_gets_exact_dates() -> None:
    diagnosis = diagnose(deactivated(121, DeactivationReason.TRIAL_EXPIRED), TODAY, POLICY)
    assert diagnosis.response == "utter_status_deactivated_expired"
    assert diagnosis.dates == {
        "deactivated_on": date(2026, 7, 24),
        "reactivation_deadline": date(2026, 11, 21),
    }


@pytest.mark.parametrize(
    ("language", "deactivated_on", "deadline"),
    [
        ("it", "25 luglio 2026", "22 novembre 2026"),
        ("fr", "25 juillet 2026", "22 novembre 2026"),
        ("en", "25 July 2026", "22 November 2026"),
    ],
)
def test_reactivation_dates_in_each_language(
    language: str, deactivated_on: str, deadline: str
) -> None:
    diagnosis = diagnose(deactivated(120, DeactivationReason.NON_PAYMENT), TODAY, POLICY)
    assert diagnosis_variables(diagnosis, language) == {
        "deactivated_on": deactivated_on,
        "reactivation_deadline": deadline,
    }


def test_retention_window_comes_from_the_policy() -> None:
    shorter = replace(POLICY, deactivated_retention_days=60)
    diagnosis = diagnose(deactivated(61, DeactivationReason.NON_PAYMENT), TODAY, shorter)
    assert diagnosis.cause is Cause.DEACTIVATED_EXPIRED


def test_terms_violation_is_never_promised_a_reactivation() -> None:
    diagnosis = diagnose(deactivated(10, DeactivationReason.TERMS_VIOLATION), TODAY, POLICY)
    assert diagnosis.cause is Cause.DEACTIVATED_TERMS_VIOLATION
    assert diagnosis.response == "utter_status_deactivated_terms_violation"
    assert diagnosis.handoff is Topic.TERMS_VIOLATION
    assert diagnosis.dates == {"deactivated_on": date(2026, 11, 12)}


def test_email_conflict_needs_a_human() -> None:
    diagnosis = diagnose(make_account(collaborator_elsewhere=True), TODAY, POLICY)
    assert diagnosis.cause is Cause.EMAIL_CONFLICT
    assert diagnosis.response == "utter_status_email_conflict"
    assert diagnosis.handoff is Topic.EMAIL_CONFLICT
    assert diagnosis.dates == {}


def test_username_login() -> None:
    diagnosis = diagnose(make_account(username="marco_demo"), TODAY, POLICY)
    assert diagnosis.cause is Cause.USERNAME_LOGIN
    assert diagnosis.response == "utter_status_username_login"
    assert diagnosis.handoff is None
    for language in ("it", "fr", "en"):
        assert diagnosis_variables(diagnosis, language) == {"username": "marco_demo"}


@pytest.mark.parametrize(
    ("changes", "cause"),
    [
        # the conflict beats "use your username"
        ({"collaborator_elsewhere": True, "username": "marco"}, Cause.EMAIL_CONFLICT),
        # the conflict is why a limited (still usable) account cannot log in
        (
            {"collaborator_elsewhere": True, "status": AccountStatus.LIMITED},
            Cause.EMAIL_CONFLICT,
        ),
        # an account that cannot be used anyway is explained first
        (
            {"collaborator_elsewhere": True, "status": AccountStatus.TRIAL_EXPIRED},
            Cause.TRIAL_EXPIRED,
        ),
        (
            {
                "collaborator_elsewhere": True,
                "status": AccountStatus.DEACTIVATED,
                "status_since": TODAY - timedelta(days=30),
            },
            Cause.DEACTIVATED_REACTIVATABLE,
        ),
        ({"username": "marco", "status": AccountStatus.LIMITED}, Cause.LIMITED),
        ({"username": "marco", "status": AccountStatus.SUSPENDED}, Cause.SUSPENDED),
    ],
)
def test_precedence(changes: dict[str, object], cause: Cause) -> None:
    assert diagnose(make_account(**changes), TODAY, POLICY).cause is cause


def test_username_is_only_shown_when_it_is_the_answer() -> None:
    account = make_account(username="marco_demo", status=AccountStatus.SUBSCRIPTION_EXPIRED)
    assert "username" not in diagnosis_variables(diagnose(account, TODAY, POLICY), "en")


def test_every_cause_has_a_response() -> None:
    assert set(RESPONSES) == set(Cause)
    assert len(set(RESPONSES.values())) == len(Cause)
