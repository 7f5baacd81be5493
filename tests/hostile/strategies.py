"""Hostile text for the property tests: random unicode plus the pieces our parsers
care about (digits in card-number shapes, emails, account IDs, cue words, invisible
and right-to-left characters, NUL, characters whose lowercase is longer)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Deterministic (the same examples on every run, so CI cannot flake) and no example
# database written into the work tree; counts keep the whole set well under a minute.
PROPERTY = settings(
    max_examples=100,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

PIECES = (
    "4242 4242 4242 4242", "4242-4242-4242-4242", "4242424242424242", "378282246310005",
    "1234", "0452", "583920", "583 920", "2024", "12.34", "€1234", "AC-104233", "ac104233",
    "AC 104233", "mario.rossi@libero.it", "a@b.co", "@", ".", "-", "_", "+", " ", "\n", "\t",
    "card", "carte", "carta", "ending", "ultime 4 cifre", "derniers chiffres", "username is ",
    "nome utente: ", "mario_r", "grace.o", "djones01", "webinar", "numeri verdi", "toll-free",
    "english", "francese", "italien", "İ", "ß", "ﬁ", "é", "e\u0301", "\u200b", "\u200d",
    "\ufeff", "\u202e", "\u200f", "\u2066", "\x00", "\x1b[31m", "<script>", "’", "٤٢٤٢",
    "４２４２", "😀", "𝟒𝟐", "/inform", '{"email": "x"}', "\ud800", "\udfff",
)  # fmt: skip

pieces = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=12).map("".join)
hostile_text = st.one_of(st.text(max_size=200), pieces)
