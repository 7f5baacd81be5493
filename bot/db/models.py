"""Database tables of the support assistant (SQLAlchemy 1.4, 2.0 style).

The account side models every situation of the support knowledge base §1 and §4;
the support side holds what the assistant itself writes (verification challenges,
reset tokens, handoff tickets, audit log, mail outbox) and reads (incidents).
Money is stored in integer cents; dates are naive UTC.
"""

from __future__ import annotations

import enum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import registry, relationship
from sqlalchemy.orm.decl_api import DeclarativeMeta
from sqlalchemy.sql.schema import Column

from bot.config.settings import FALLBACK_LANGUAGE

mapper_registry = registry()


class Base(metaclass=DeclarativeMeta):
    """`declarative_base()` spelled as a class (SQLAlchemy 1.4's documented form), so a
    type checker sees the models' base."""

    __abstract__ = True
    registry = mapper_registry
    metadata = mapper_registry.metadata
    __init__ = mapper_registry.constructor


def _enum(enum_class: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native PG enum) so migrations stay simple.
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        validate_strings=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
    )


class AccountStatus(str, enum.Enum):
    ACTIVE = "active"
    TRIAL_EXPIRED = "trial_expired"
    SUBSCRIPTION_EXPIRED = "subscription_expired"
    SUSPENDED = "suspended"  # products removed / privileges revoked by an admin
    DELETED_BY_ADMIN = "deleted_by_admin"
    LIMITED = "limited"  # negative balance, charges being retried
    DEACTIVATED = "deactivated"


class DeactivationReason(str, enum.Enum):
    OWNER_CANCELLED = "owner_cancelled"
    NON_PAYMENT = "non_payment"
    TERMS_VIOLATION = "terms_violation"
    TRIAL_EXPIRED = "trial_expired"


class MemberRole(str, enum.Enum):
    OWNER = "owner"
    COLLABORATOR = "collaborator"


class PlanType(str, enum.Enum):
    MONTHLY = "monthly"
    ANNUAL = "annual"
    FIXED_TERM = "fixed_term"


class BillingRole(str, enum.Enum):
    BILLING_ADMIN = "billing_admin"
    PRODUCT_ADMIN = "product_admin"
    AUTHORISED_BILLING_CONTACT = "authorised_billing_contact"


class Account(Base):
    __tablename__ = "accounts"

    id = Column(Integer, primary_key=True)
    public_id = Column(String(16), unique=True, nullable=False)  # "AC-104233"
    email = Column(String(254), unique=True, nullable=False)  # registered email, lowercase
    username = Column(String(64), unique=True, nullable=True)
    language = Column(String(2), nullable=False, default=FALLBACK_LANGUAGE)
    status = Column(_enum(AccountStatus, "account_status"), nullable=False)
    status_since = Column(Date, nullable=False)
    deactivation_reason = Column(_enum(DeactivationReason, "deactivation_reason"))
    balance_cents = Column(Integer, nullable=False, default=0)  # negative: customer owes
    first_failed_charge_on = Column(Date)
    is_admin = Column(Boolean, nullable=False, default=False)
    created_on = Column(Date, nullable=False)
    # Set by the demo reset-password page (scrypt, see bot/services/identity/passwords.py).
    password_hash = Column(String(255))
    password_changed_at = Column(DateTime)

    memberships = relationship("TeamMembership", back_populates="account")
    subscriptions = relationship("Subscription", back_populates="account")
    billing_contacts = relationship("BillingContact", back_populates="account")
    payment_methods = relationship("PaymentMethod", back_populates="account")


class TeamMembership(Base):
    """An email's role on an account: owner here, collaborator elsewhere."""

    __tablename__ = "team_memberships"
    __table_args__ = (UniqueConstraint("account_id", "email"),)

    id = Column(Integer, primary_key=True)
    account_id = Column(ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    email = Column(String(254), nullable=False, index=True)
    role = Column(_enum(MemberRole, "member_role"), nullable=False)

    account = relationship("Account", back_populates="memberships")


class Product(Base):
    __tablename__ = "products"

    id = Column(Integer, primary_key=True)
    code = Column(String(32), unique=True, nullable=False)  # meetings, webinar, training
    name = Column(String(80), nullable=False)


class Subscription(Base):
    __tablename__ = "subscriptions"

    id = Column(Integer, primary_key=True)
    account_id = Column(ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    product_id = Column(ForeignKey("products.id"), nullable=False)
    plan_type = Column(_enum(PlanType, "plan_type"), nullable=False)
    term_months = Column(Integer, nullable=False)  # 1 monthly, 12 annual, n for contracts
    start_date = Column(Date, nullable=False)
    end_date = Column(Date, nullable=False)  # end of the current period / renewal date
    auto_renew = Column(Boolean, nullable=False, default=True)
    cancelled_at = Column(Date)
    cancellable_online = Column(Boolean, nullable=False, default=True)

    account = relationship("Account", back_populates="subscriptions")
    product = relationship("Product")
    addons = relationship("AddOn", back_populates="subscription")


class AddOn(Base):
    __tablename__ = "addons"

    id = Column(Integer, primary_key=True)
    subscription_id = Column(ForeignKey("subscriptions.id", ondelete="CASCADE"), nullable=False)
    code = Column(String(32), nullable=False)  # toll_free
    started_on = Column(Date, nullable=False)
    cancelled_at = Column(Date)

    subscription = relationship("Subscription", back_populates="addons")


class BillingContact(Base):
    __tablename__ = "billing_contacts"
    __table_args__ = (UniqueConstraint("account_id", "email", "role"),)

    id = Column(Integer, primary_key=True)
    account_id = Column(ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    email = Column(String(254), nullable=False, index=True)
    role = Column(_enum(BillingRole, "billing_role"), nullable=False)

    account = relationship("Account", back_populates="billing_contacts")


class PaymentMethod(Base):
    __tablename__ = "payment_methods"

    id = Column(Integer, primary_key=True)
    account_id = Column(ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False)
    card_last4 = Column(String(4), nullable=False)  # never more than the last four
    billing_address = Column(Text, nullable=False)

    account = relationship("Account", back_populates="payment_methods")


# --- written by the assistant -------------------------------------------------


class VerificationChallenge(Base):
    """A one-time code sent to an account's registered email (stored hashed)."""

    __tablename__ = "verification_challenges"

    id = Column(Integer, primary_key=True)
    conversation_key = Column(String(64), nullable=False, index=True)  # hash of sender
    account_id = Column(ForeignKey("accounts.id", ondelete="CASCADE"))  # None: no match
    # keyed hash of the account's email (or of the identifier typed, when none matched):
    # failed codes are counted per subject across conversations
    subject_key = Column(String(64), index=True)
    code_hash = Column(String(128), nullable=False)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    verified_at = Column(DateTime)
    locked_at = Column(DateTime)


class ResetToken(Base):
    """A reset link's token (SHA-256). An unknown email gets one too (account_id None),
    so both paths write the same rows; such a token is never mailed and redeems nothing."""

    __tablename__ = "reset_tokens"

    id = Column(Integer, primary_key=True)
    account_id = Column(ForeignKey("accounts.id", ondelete="CASCADE"))
    token_hash = Column(String(128), unique=True, nullable=False)
    created_at = Column(DateTime, nullable=False)
    expires_at = Column(DateTime, nullable=False)
    used_at = Column(DateTime)


class TicketStatus(str, enum.Enum):
    QUEUED = "queued"
    ASSIGNED = "assigned"
    CLOSED = "closed"


class WebhookStatus(str, enum.Enum):
    """Where the helpdesk copy of a ticket stands (None on the ticket: no webhook)."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed


class HandoffTicket(Base):
    __tablename__ = "handoff_tickets"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(128), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    language = Column(String(2), nullable=False)
    topic = Column(String(64), nullable=False)
    summary = Column(Text, nullable=False)
    verification = Column(JSON, nullable=False, default=dict)  # result, method, matches
    transcript = Column(JSON, nullable=False, default=list)
    status = Column(String(16), nullable=False, default=TicketStatus.QUEUED.value, index=True)
    assigned_to = Column(String(64))
    resolution_note = Column(Text)
    created_at = Column(DateTime, nullable=False)
    updated_at = Column(DateTime, nullable=False)
    # The account the conversation proved control of (one-time code), for the desk's
    # verification panel; never copied into the ticket's text or the webhook.
    account_id = Column(ForeignKey("accounts.id", ondelete="SET NULL"))
    closed_at = Column(DateTime)
    webhook_status = Column(String(16))  # None (no webhook), or a WebhookStatus
    webhook_attempts = Column(Integer, nullable=False, default=0)
    # What a canned reply's {first_name} becomes; None when the channel did not say it.
    first_name = Column(String(80))


class Agent(Base):
    """A support agent who signs in to the desk (create with `python -m bot create-agent`)."""

    __tablename__ = "agents"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), unique=True, nullable=False)
    display_name = Column(String(80), nullable=False)
    password_hash = Column(String(255), nullable=False)
    languages = Column(String(32), nullable=False, default="it,fr,en")  # language teams
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False)
    # May open the Insights page (`create-agent --supervisor`); checked on every route.
    supervisor = Column(Boolean, nullable=False, default=False)
    # In every session cookie; logout adds one, so cookies signed before stop working.
    session_generation = Column(Integer, nullable=False, default=0, server_default="0")
    # available / away (bot/services/agents/status.py): an away agent is offered no new
    # ticket and does not count in the customer's queue position.
    status = Column(String(16), nullable=False, default="available", server_default="available")


class TicketNote(Base):
    """An agent's internal note on a ticket: shown on the desk only, never sent to the
    customer (bot/services/handoff/notes.py); deleted with its ticket."""

    __tablename__ = "ticket_notes"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(
        ForeignKey("handoff_tickets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    author = Column(String(64), nullable=False)  # agent username
    text = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False)


class CannedReply(Base):
    """A reply an agent inserts into the message box, per language, with {first_name}
    and {agent_name} (bot/services/agents/canned.py); supervisors manage them."""

    __tablename__ = "canned_replies"

    id = Column(Integer, primary_key=True)
    language = Column(String(2), nullable=False, index=True)
    title = Column(String(80), nullable=False)
    text = Column(Text, nullable=False)
    updated_by = Column(String(64), nullable=False)
    updated_at = Column(DateTime, nullable=False)


class DeskSigninCounter(Base):
    """Sign-in attempts of one subject (keyed hash of "desk-agent:<name>" or
    "desk-client:<address>"), changed only by single UPDATE statements
    (bot/services/agents/signin_limits.py) so concurrent attempts cannot overtake the limit."""

    __tablename__ = "desk_signin_counters"

    subject_key = Column(String(64), primary_key=True)
    attempts = Column(Integer, nullable=False, default=0)  # reserved or failed, this streak
    since = Column(DateTime, nullable=False)  # the streak is forgotten a window after this
    locked_until = Column(DateTime)
    lockouts = Column(Integer, nullable=False, default=0)  # locks this streak: the backoff grows


class AuditEntry(Base):
    """What the assistant did, without personal data (hashed keys only)."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)
    event = Column(String(64), nullable=False)
    conversation_key = Column(String(64))
    subject_key = Column(String(64))  # hash of the email / account, for rate limits
    detail = Column(JSON, nullable=False, default=dict)


class ServiceIncident(Base):
    __tablename__ = "service_incidents"

    id = Column(Integer, primary_key=True)
    title = Column(String(200), nullable=False)
    severity = Column(String(16), nullable=False, default="major")
    started_at = Column(DateTime, nullable=False)
    resolved_at = Column(DateTime)


class OutboxMail(Base):
    """The mail queue (see bot/services/mail/queue.py for the statuses).

    A row is written in the same transaction as the challenge or token it carries;
    with MAIL_BACKEND=outbox (demo) the row is the delivery, with smtp the mail
    worker sends it later and then clears the body and masks the address.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_status_next_try_at", "status", "next_try_at"),)

    id = Column(Integer, primary_key=True)
    created_at = Column(DateTime, nullable=False)
    to_address = Column(String(254))  # None: nobody to send to (unknown or limited request)
    subject = Column(String(200), nullable=False)
    body = Column(Text, nullable=False)
    status = Column(String(16), nullable=False, default="outbox")
    attempts = Column(Integer, nullable=False, default=0)
    next_try_at = Column(DateTime)  # pending rows: when the worker may (re)try it
    expires_at = Column(DateTime)  # the code or link inside is worthless after this
    sent_at = Column(DateTime)
    last_error = Column(String(64))  # exception type only, never its text


class InsightConversation(Base):
    """One conversation (a Rasa session) as the Insights page counts it: facts only,
    no text and no sender ID (a keyed hash), see bot/services/insights/outcomes.py."""

    __tablename__ = "insight_conversations"
    __table_args__ = (
        Index("ix_insight_conversations_key_started", "conversation_key", "started_at"),
    )

    id = Column(Integer, primary_key=True)
    conversation_key = Column(String(64), nullable=False)  # keyed hash of the sender ID
    started_at = Column(DateTime, nullable=False, index=True)
    last_event_at = Column(DateTime, nullable=False)
    channel = Column(String(32), nullable=False)
    language = Column(String(2))
    user_messages = Column(Integer, nullable=False, default=0)
    fallbacks = Column(Integer, nullable=False, default=0)
    ended_on_fallback = Column(Boolean, nullable=False, default=False)
    intents = Column(JSON, nullable=False, default=dict)  # intent name -> messages
    flow_finished_at = Column(DateTime)  # the last flow's end, unless asked again since
    confirmed = Column(Boolean, nullable=False, default=False)  # said it helped after it
    came_back = Column(Boolean, nullable=False, default=False)  # asked again in a new session
    handed_off_at = Column(DateTime)
    handoff_topic = Column(String(64))
    agent_claimed_at = Column(DateTime)
    first_agent_reply_at = Column(DateTime)  # the agent's first message after the claim
    handed_back_at = Column(DateTime)
    helped = Column(Boolean)  # the satisfaction question's yes/no
    rating = Column(Integer)  # its optional 1-5
    in_form = Column(Boolean, nullable=False, default=False)  # a form is asking for data


class InsightReviewMessage(Base):
    """A customer message the assistant did not understand (or barely), scrubbed, for a
    supervisor to label "this was intent X" (bot/services/insights/misunderstood.py)."""

    __tablename__ = "insight_review_messages"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)
    language = Column(String(2))
    channel = Column(String(32), nullable=False)
    text = Column(String(300), nullable=False)  # no email, number or account ID left
    predicted_intent = Column(String(64), nullable=False)  # nlu_fallback, or a weak guess
    best_guess = Column(String(64))  # the classifier's top intent behind a fallback
    confidence = Column(Float, nullable=False)
    labelled_intent = Column(String(64))
    labelled_by = Column(String(64))  # the supervisor's username
    labelled_at = Column(DateTime)
    # "needs no label": out of the review list, nothing written to the review file
    ignored_at = Column(DateTime)
    ignored_by = Column(String(64))  # the supervisor's username
    # keyed hash of the sender ID: erasure finds an account's messages by it
    conversation_key = Column(String(64), index=True)


class InsightCursor(Base):
    """The last tracker event read into the insight tables (read incrementally)."""

    __tablename__ = "insight_cursors"

    name = Column(String(32), primary_key=True)
    last_event_id = Column(Integer, nullable=False, default=0)


class HelpCentreTurn(Base):
    """A message the help centre was searched for (out of scope, not understood, a
    how-to question): answered with which article, or not, and the customer's
    "did this answer your question?" (bot/services/insights/help_centre.py)."""

    __tablename__ = "help_centre_turns"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)
    conversation_key = Column(String(64), nullable=False, index=True)  # keyed hash
    channel = Column(String(32), nullable=False)
    language = Column(String(2), nullable=False)  # the conversation's
    intent = Column(String(64), nullable=False)  # out_of_scope, nlu_fallback, ask_how_to
    question = Column(String(300), nullable=False)  # scrubbed: no email, number, ID
    answered = Column(Boolean, nullable=False)  # an article was given
    article_id = Column(String(128))
    topic = Column(String(64))
    article_language = Column(String(2))
    score = Column(Float)  # the search's best score, answered or not
    helpful = Column(Boolean)  # yes / no to "did this answer your question?"


class ConversationMessage(Base):
    """A message the widget was sent (bot, agent, system notice), kept so that a widget
    that was away (another page, a dropped network) fetches what it missed
    (bot/services/delivery.py). `seq` counts 1, 2, 3... per conversation: the widget's
    cursor and what it dedupes by."""

    __tablename__ = "conversation_messages"
    __table_args__ = (
        UniqueConstraint("conversation_key", "seq", name="uq_conversation_messages_key_seq"),
    )

    id = Column(Integer, primary_key=True)
    conversation_key = Column(String(64), nullable=False)  # keyed hash of the sender ID
    seq = Column(Integer, nullable=False)
    at = Column(DateTime, nullable=False, index=True)
    payload = Column(JSON, nullable=False)  # what the widget renders, scrubbed


class TicketScreenshot(Base):
    """An image the customer sent the agent during a live chat, re-encoded (no metadata,
    nothing but pixels) and kept as a file named at random under UPLOAD_DIR
    (bot/services/screenshots/); deleted with its ticket by retention and erasure."""

    __tablename__ = "ticket_screenshots"

    id = Column(Integer, primary_key=True)
    ticket_id = Column(
        ForeignKey("handoff_tickets.id", ondelete="CASCADE"), nullable=False, index=True
    )
    file_name = Column(String(64), unique=True, nullable=False)  # random, never the customer's
    media_type = Column(String(16), nullable=False)  # image/png or image/jpeg
    width = Column(Integer, nullable=False)
    height = Column(Integer, nullable=False)
    size_bytes = Column(Integer, nullable=False)
    created_at = Column(DateTime, nullable=False)


__all__ = [
    "Account",
    "AccountStatus",
    "AddOn",
    "AuditEntry",
    "Base",
    "BillingContact",
    "BillingRole",
    "CannedReply",
    "ConversationMessage",
    "DeactivationReason",
    "DeskSigninCounter",
    "HandoffTicket",
    "HelpCentreTurn",
    "InsightConversation",
    "InsightCursor",
    "InsightReviewMessage",
    "MemberRole",
    "OutboxMail",
    "PaymentMethod",
    "PlanType",
    "Product",
    "ResetToken",
    "ServiceIncident",
    "Subscription",
    "TeamMembership",
    "TicketNote",
    "TicketScreenshot",
    "VerificationChallenge",
]
