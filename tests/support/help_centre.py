"""A tiny made-up help centre written into a folder, for the help-centre tests."""

from __future__ import annotations

from pathlib import Path


def article(
    id: str, language: str, title: str, body: str, topic: str | None = None, demo: bool = False
) -> str:
    """An article file's text: front matter and markdown body."""
    return (
        f'---\nid: {id}\ntitle: "{title}"\nlanguage: {language}\nproduct: Demo\n'
        f"topic: {topic or id}\nurl: https://help.example.com/{language}/{id}\n"
        f"updated: 2026-12-01\ndemo: {str(demo).lower()}\n---\n\n{body}\n"
    )


RECORD_EN = article(
    "record-meeting", "en", "Record a meeting",
    "Start the recording from the meeting window. Only the organiser can record.\n\n"
    "## Where recordings are saved\n\n"
    "A recording is saved in your online account or as a file on your computer. "
    "Online recordings take a while to process. Local files may need converting. "
    "Share recordings only with the people who should see them.\n",
)  # fmt: skip
REFUND_EN = article(
    "refunds", "en", "Refunds when you cancel early",
    "We do not refund an early cancellation. Your plan stays active until it expires.\n\n"
    "## Examples\n\n- An annual plan cancelled after six months stays active, no refund\n"
    "- A monthly plan is charged for the whole month\n",
)  # fmt: skip
PASSWORD_EN = article(
    "reset-password", "en", "Reset your password",
    "Open the sign-in page and choose **Forgot password**. We send a reset link to your "
    "registered email. The link works once and expires after 30 minutes.\n",
)  # fmt: skip
RECORD_IT = article(
    "record-meeting", "it", "Registrare una riunione",
    "Avvia la registrazione dalla finestra della riunione. Solo l'organizzatore può "
    "registrare. La registrazione viene salvata nel tuo account online o sul computer.\n",
)  # fmt: skip
REFUND_FR = article(
    "refunds", "fr", "Remboursements en cas de résiliation anticipée",
    "Une résiliation anticipée n'est pas remboursée. Votre offre reste active jusqu'à son "
    "échéance. Le mois commencé est facturé en entier.\n",
)  # fmt: skip

TINY_HELP_CENTRE = {
    "en/record-a-meeting.md": RECORD_EN,
    "en/refunds.md": REFUND_EN,
    "en/reset-your-password.md": PASSWORD_EN,
    "it/registrare-una-riunione.md": RECORD_IT,
    "fr/remboursements.md": REFUND_FR,
}


def write_help_centre(folder: Path, files: dict[str, str] = TINY_HELP_CENTRE) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder
