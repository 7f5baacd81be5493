"""Why can't this (verified) account log in? Support knowledge base §1, from data.

Only the rows of §1 that the account data can show are decided here; the others
(wrong password, browser, outage...) are the checklist of `utter_cannot_login`.

Precedence, first match wins:
1. account states with nothing usable to log into: deleted by an admin,
   deactivated (terms violation / within the retention window / beyond it),
   suspended, trial or subscription expired. Fixing the login of an account that
   cannot be used would not help, and these replies already say what to do.
2. email conflict: the account itself is fine, but its email also belongs to a
   collaborator elsewhere, so every login fails until a human removes the link.
3. limited: still usable, but it will be deactivated on a known date.
4. username: an active account that logs in with its username, not the email.
5. nothing wrong in the data: the generic checklist applies.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.config.policy import Policy
from bot.db.models import AccountStatus, DeactivationReason
from bot.services.dates import format_date
from bot.services.identity.accounts import AccountSnapshot
from bot.services.topics import Topic


class Cause(str, enum.Enum):
    ACTIVE_OK = "active_ok"
    TRIAL_EXPIRED = "trial_expired"
    SUBSCRIPTION_EXPIRED = "subscription_expired"
    SUSPENDED = "suspended"
    DELETED_BY_ADMIN = "deleted_by_admin"
    LIMITED = "limited"
    DEACTIVATED_REACTIVATABLE = "deactivated_reactivatable"
    DEACTIVATED_EXPIRED = "deactivated_expired"
    DEACTIVATED_TERMS_VIOLATION = "deactivated_terms_violation"
    EMAIL_CONFLICT = "email_conflict"
    USERNAME_LOGIN = "username_login"


# One reply per meaning; the three languages live under each name in domain.yml.
RESPONSES: dict[Cause, str] = {
    Cause.ACTIVE_OK: "utter_status_active",
    Cause.TRIAL_EXPIRED: "utter_status_trial_expired",
    Cause.SUBSCRIPTION_EXPIRED: "utter_status_subscription_expired",
    Cause.SUSPENDED: "utter_status_suspended",
    Cause.DELETED_BY_ADMIN: "utter_status_deleted_by_admin",
    Cause.LIMITED: "utter_status_limited",
    Cause.DEACTIVATED_REACTIVATABLE: "utter_status_deactivated_reactivatable",
    Cause.DEACTIVATED_EXPIRED: "utter_status_deactivated_expired",
    Cause.DEACTIVATED_TERMS_VIOLATION: "utter_status_deactivated_terms_violation",
    Cause.EMAIL_CONFLICT: "utter_status_email_conflict",
    Cause.USERNAME_LOGIN: "utter_status_username_login",
}
# An admin whose products were removed can still reach the admin centre: a different
# meaning, so a different reply rather than a flag inside one.
SUSPENDED_ADMIN_RESPONSE = "utter_status_suspended_admin"


@dataclass(frozen=True)
class Diagnosis:
    cause: Cause
    response: str  # name of the reply to show
    dates: dict[str, date] = field(default_factory=dict)
    # the reply offers a person (only an agent can act): what the handoff form collects for
    handoff: Topic | None = None
    username: str | None = None  # set for USERNAME_LOGIN only


def _diagnosis(cause: Cause, handoff: Topic | None = None, **dates: date) -> Diagnosis:
    return Diagnosis(cause, RESPONSES[cause], dict(dates), handoff)


def diagnose(account: AccountSnapshot, today: date, policy: Policy) -> Diagnosis:
    """The single most useful explanation for `account`, in the order of the module doc."""
    status, since = account.status, account.status_since
    if status is AccountStatus.DELETED_BY_ADMIN:
        return _diagnosis(Cause.DELETED_BY_ADMIN, deleted_on=since)
    if status is AccountStatus.DEACTIVATED:
        return _deactivated(account, today, policy)
    if status is AccountStatus.SUSPENDED:
        diagnosis = _diagnosis(Cause.SUSPENDED, suspended_on=since)
        if account.is_admin:
            return Diagnosis(diagnosis.cause, SUSPENDED_ADMIN_RESPONSE, diagnosis.dates)
        return diagnosis
    if status is AccountStatus.TRIAL_EXPIRED:
        return _diagnosis(Cause.TRIAL_EXPIRED, expired_on=since)
    if status is AccountStatus.SUBSCRIPTION_EXPIRED:
        return _diagnosis(Cause.SUBSCRIPTION_EXPIRED, expired_on=since)
    if account.collaborator_elsewhere:
        return _diagnosis(Cause.EMAIL_CONFLICT, handoff=Topic.EMAIL_CONFLICT)
    if status is AccountStatus.LIMITED:
        # Charges are retried from the first failure; missing data falls back to the
        # day the account became limited, which is when that failure happened.
        first_failure = account.first_failed_charge_on or since
        deactivation = first_failure + timedelta(days=policy.limited_grace_days)
        return _diagnosis(
            Cause.LIMITED, first_failed_charge_on=first_failure, deactivation_date=deactivation
        )
    if account.username:
        return Diagnosis(
            Cause.USERNAME_LOGIN, RESPONSES[Cause.USERNAME_LOGIN], username=account.username
        )
    return _diagnosis(Cause.ACTIVE_OK)


def _deactivated(account: AccountSnapshot, today: date, policy: Policy) -> Diagnosis:
    since = account.status_since
    deadline = since + timedelta(days=policy.deactivated_retention_days)
    if account.deactivation_reason is DeactivationReason.TERMS_VIOLATION:
        # §1 lists owner cancellation, non-payment and expired trials as restorable;
        # a terms-violation closure is for an agent to review, never promised here.
        return _diagnosis(
            Cause.DEACTIVATED_TERMS_VIOLATION, handoff=Topic.TERMS_VIOLATION, deactivated_on=since
        )
    if today <= deadline:  # the last day of the window still counts
        return _diagnosis(
            Cause.DEACTIVATED_REACTIVATABLE,
            handoff=Topic.REACTIVATION,
            deactivated_on=since,
            reactivation_deadline=deadline,
        )
    return _diagnosis(
        Cause.DEACTIVATED_EXPIRED, deactivated_on=since, reactivation_deadline=deadline
    )


def diagnosis_variables(diagnosis: Diagnosis, language: str) -> dict[str, str]:
    """Template variables of the reply: its dates in `language`, and the username."""
    variables = {name: format_date(value, language) for name, value in diagnosis.dates.items()}
    if diagnosis.username is not None:
        variables["username"] = diagnosis.username
    return variables
