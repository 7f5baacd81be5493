"""Per-turn dialogue rules over plain data (no Rasa): the conversation's language,
repeated fallbacks, the slots refreshed on every message."""
