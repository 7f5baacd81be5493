"""Which accounts a conversation names, as exact links (conversation key -> subject key).

The tracker store masks emails before it writes ("m***@example.com" is many people),
so erasure cannot find a conversation by the address in its stored events. Before
scrubbing, the store reads the identifiers the conversation holds (the NLU's email,
account-ID and username entities, and the identifier slots) and records one row per
(conversation, identifier): both keyed hashes (`redaction.conversation_key`,
`subject_key`), in the tracker database beside the events, in the same transaction.
Erasure looks these up by the account's own keys; equality only, never substring.

The same reading decides, exactly, whether an older stored event names an account.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, delete, inspect, select
from sqlalchemy.engine import Connection

from bot.services.identity.accounts import normalise_public_id
from bot.services.identity.sealing import unseal
from bot.services.privacy.redaction import conversation_key, normalise, subject_key

IDENTIFIER_ENTITIES = frozenset({"email", "account_id", "username"})
# domain.yml slots that hold an email, a username or an account ID
IDENTIFIER_SLOTS = frozenset(
    {
        "identifier",
        "verified_account",
        "reset_email",
        "login_email",
        "handoff_identifier",
        "handoff_account_id",
        "handoff_billing_email",
    }
)

LINKS = Table(
    "conversation_subjects",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("conversation_key", String(64), nullable=False, index=True),
    Column("subject_key", String(64), nullable=False, index=True),
)


def identifier_forms(value: str) -> set[str]:
    """The normalised forms one identifier is matched by ("ac 100003" -> "ac-100003")."""
    forms = {normalise(value)}
    public_id = normalise_public_id(value)
    if public_id:
        forms.add(normalise(public_id))
    return forms - {""}


def identifiers_in(event: Mapping[str, Any], sender_id: str) -> set[str]:
    """The normalised identifiers one Rasa event dict of this conversation names
    (entities, identifier slots, opened if the handoff form sealed them)."""
    values: list[Any] = []
    kind = event.get("event")
    if kind == "user":
        parse_data = event.get("parse_data")
        entities = parse_data.get("entities") if isinstance(parse_data, Mapping) else None
        for entity in entities or []:
            if isinstance(entity, Mapping) and entity.get("entity") in IDENTIFIER_ENTITIES:
                values.append(entity.get("value"))
    elif kind == "slot" and event.get("name") in IDENTIFIER_SLOTS:
        value = event.get("value")
        values.append(unseal(value, sender_id) if isinstance(value, str) else value)
    found: set[str] = set()
    for value in values:
        if isinstance(value, str):
            found |= identifier_forms(value)
    return found


def link_rows(sender_id: str, events: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The rows linking this conversation to every identifier its (unscrubbed) events name."""
    subjects = {subject_key(form) for event in events for form in identifiers_in(event, sender_id)}
    key = conversation_key(sender_id)
    return [{"conversation_key": key, "subject_key": subject} for subject in sorted(subjects)]


def create_table(connection: Connection) -> None:
    LINKS.create(connection, checkfirst=True)


def has_table(connection: Connection) -> bool:
    return inspect(connection).has_table(LINKS.name)


def linked_conversations(connection: Connection, subjects: Iterable[str]) -> set[str]:
    """Conversation keys linked to any of these subject keys."""
    wanted = sorted(set(subjects))
    if not wanted or not has_table(connection):
        return set()
    query = select(LINKS.c.conversation_key).where(LINKS.c.subject_key.in_(wanted))
    return set(connection.scalars(query.distinct()))


def delete_links(connection: Connection, senders: Iterable[str]) -> int:
    """Drop the links of conversations that are gone."""
    keys = sorted({conversation_key(sender) for sender in senders})
    if not keys or not has_table(connection):
        return 0
    removed = 0
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        removed += connection.execute(
            delete(LINKS).where(LINKS.c.conversation_key.in_(chunk))
        ).rowcount
    return removed
