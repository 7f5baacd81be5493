"""What a human agent needs before taking over (support policies §3), and how the
details a customer gives are checked against the account.

Details only help to find an account; they never prove identity (§2), which is
the one-time code's job. The result is which details matched, never a stored value.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import (
    Account,
    BillingContact,
    BillingRole,
    PaymentMethod,
    Product,
    Subscription,
)
from bot.nlu.catalogue import get_catalogue
from bot.nlu.entity_rules import fold, has_card_number, product_mentions
from bot.services.form_slots import SKIPPED
from bot.services.identity.accounts import find_account_id
from bot.services.topics import Topic

MAX_DETAIL_CHARS = 300


class Detail(str, enum.Enum):
    """Slot names of the handoff form are `handoff_<detail>`."""

    REASON = "reason"
    IDENTIFIER = "identifier"  # last known email, username or account ID
    ACCOUNT_ID = "account_id"
    BILLING_EMAIL = "billing_email"
    CARD_LAST4 = "card_last4"
    BILLING_ADDRESS = "billing_address"
    PRODUCTS = "products"


# §3, in the order the form asks. Identity details are skipped for a verified customer.
DETAILS_BY_TOPIC: dict[Topic, tuple[Detail, ...]] = {
    Topic.CANCELLATION: (
        Detail.ACCOUNT_ID,
        Detail.BILLING_EMAIL,
        Detail.CARD_LAST4,
        Detail.BILLING_ADDRESS,
        Detail.PRODUCTS,
    ),
    Topic.LOST_ACCOUNT: (Detail.IDENTIFIER, Detail.CARD_LAST4, Detail.BILLING_ADDRESS),
    Topic.REACTIVATION: (Detail.IDENTIFIER,),
    Topic.TERMS_VIOLATION: (Detail.IDENTIFIER,),
    Topic.EMAIL_CONFLICT: (Detail.IDENTIFIER,),
    Topic.VERIFICATION_FAILED: (Detail.IDENTIFIER, Detail.CARD_LAST4),
    Topic.ACCOUNT: (Detail.REASON, Detail.IDENTIFIER),
    # which charge (date, amount, what looks wrong), whose account, which card it hit
    Topic.BILLING: (Detail.REASON, Detail.IDENTIFIER, Detail.CARD_LAST4),
    Topic.GENERAL: (Detail.REASON, Detail.IDENTIFIER),
}
IDENTITY_DETAILS = frozenset({Detail.IDENTIFIER, Detail.ACCOUNT_ID})

# Intents that go straight to a person, and the topic the person gets.
TOPIC_BY_INTENT = {"billing_issue": Topic.BILLING}


def details_to_ask(topic: Topic, verified: bool, known_reason: bool = False) -> list[Detail]:
    """The questions of the form for this topic; never empty (the reason is the
    fallback). `known_reason`: the reason is known already (the question a help-centre
    article did not answer), so it is not asked."""
    details = [
        d
        for d in DETAILS_BY_TOPIC[topic]
        if not (verified and d in IDENTITY_DETAILS) and not (known_reason and d is Detail.REASON)
    ]
    return details or [Detail.REASON]


def needs_code(topic: Topic, verified: bool) -> bool:
    """Whether to send a one-time code once the details are in."""
    return not verified and topic is not Topic.VERIFICATION_FAILED


# --- reading what the customer typed --------------------------------------------

# Inside the card question any lone 4-digit group is the answer ("1881 grazie"),
# unlike free chat, where the NLU wants a word such as "card" or "ending" next to it.
LAST4 = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def card_last4(text: str) -> str | None:
    """The four digits of "4242", "ending 4242", "**** 4242"; None for a full card number."""
    if has_card_number(text):
        return None
    found = LAST4.findall(text)
    return found[0] if len(found) == 1 else None


def products_in(text: str) -> list[str]:
    """Plan codes named in the text, any language ("webinar", "formazione", ...),
    read with the product catalogue; add-ons and tools are not subscriptions."""
    plans = get_catalogue().codes("plan")
    named = {m.code for m in product_mentions(fold(text)) if m.code in plans}
    return sorted(named)


def address_tokens(text: str) -> set[str]:
    """An address as comparable words: case, accents, punctuation and order ignored."""
    return set(re.findall(r"[a-z0-9]+", fold(text)))


def address_matches(given: str, stored: str) -> bool:
    """Whether the address the customer typed is the stored one, as far as they gave it.

    "12 rue de la Paix, 75002 Paris" is "12 rue de la Paix, 75002 Paris, FR": a country
    or city left out is no mismatch. But every word given must be in the stored address
    (a wrong street, number or postcode fails), every stored part with a digit must be
    given (house number and postcode: what tells two addresses of a street apart), and
    so must a word of the street (numbers alone are no address)."""
    words, on_file = address_tokens(given), address_tokens(stored)
    with_digits = {word for word in on_file if any(c.isdigit() for c in word)}
    return words <= on_file and with_digits <= words and bool(words - with_digits)


# --- checking against the account -------------------------------------------------


@dataclass(frozen=True)
class DetailCheck:
    """`matched[name]` is True / False, or None when the detail was skipped or no
    account was found to compare with."""

    account_id: int | None
    matched: dict[str, bool | None]


def _given(details: Mapping[str, str | None], detail: Detail) -> str | None:
    value = details.get(detail.value)
    return None if not value or value == SKIPPED else value


def _billing_admin_emails(session: Session, account_id: int) -> set[str]:
    rows = session.scalars(
        select(func.lower(BillingContact.email)).where(
            BillingContact.account_id == account_id,
            BillingContact.role == BillingRole.BILLING_ADMIN,
        )
    )
    return set(rows)


def _payment_methods(session: Session, account_id: int) -> list[PaymentMethod]:
    return list(
        session.scalars(select(PaymentMethod).where(PaymentMethod.account_id == account_id))
    )


def _products(session: Session, account_id: int) -> set[str]:
    rows = session.scalars(
        select(Product.code)
        .join(Subscription, Subscription.product_id == Product.id)
        .where(Subscription.account_id == account_id)
    )
    return set(rows)


def _first_account(session: Session, candidates: Iterable[str | None]) -> int | None:
    for candidate in candidates:
        if candidate:
            found = find_account_id(session, candidate)
            if found is not None:
                return found
    return None


def check_details(
    session: Session, details: Mapping[str, str | None], verified_account_id: int | None
) -> DetailCheck:
    """Find the account the details point to and say which details match it."""
    account_id = verified_account_id or _first_account(
        session, (_given(details, Detail.ACCOUNT_ID), _given(details, Detail.IDENTIFIER))
    )
    matched: dict[str, bool | None] = {}
    for detail in Detail:
        if detail is Detail.REASON or detail.value not in details:
            continue
        value = _given(details, detail)
        if value is None or account_id is None:
            matched[detail.value] = None
        elif detail in IDENTITY_DETAILS:
            matched[detail.value] = find_account_id(session, value) == account_id
        elif detail is Detail.BILLING_EMAIL:
            matched[detail.value] = value.strip().lower() in _billing_admin_emails(
                session, account_id
            )
        elif detail is Detail.CARD_LAST4:
            cards = {m.card_last4 for m in _payment_methods(session, account_id)}
            matched[detail.value] = value in cards
        elif detail is Detail.BILLING_ADDRESS:
            matched[detail.value] = any(
                address_matches(value, m.billing_address)
                for m in _payment_methods(session, account_id)
            )
        elif detail is Detail.PRODUCTS:
            named = set(products_in(value))
            matched[detail.value] = bool(named) and named <= _products(session, account_id)
    return DetailCheck(account_id, matched)


def identified_account(
    session: Session, details: Mapping[str, str | None]
) -> tuple[Account | None, bool]:
    """(the Account the identity details name, or None; whether any identity detail was given).

    The caller sends a code when something was given, whether or not it matched,
    so the reply cannot tell a stranger whether an account exists.
    """
    given = [_given(details, d) for d in (Detail.ACCOUNT_ID, Detail.IDENTIFIER)]
    account_id = _first_account(session, given)
    account = session.get(Account, account_id) if account_id is not None else None
    return account, any(given)
