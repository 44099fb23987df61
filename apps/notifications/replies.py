"""Reads a customer's WhatsApp answer to a reminder. No ORM here."""

import string
import unicodedata

CONFIRM = "confirm"
CANCEL = "cancel"

CONFIRM_WORDS = frozenset(
    {
        "1",
        "sim",
        "s",
        "confirmar",
        "confirmo",
        "confirmado",
        "ok",
        "yes",
        "y",
        "confirm",
    }
)
CANCEL_WORDS = frozenset(
    {"2", "nao", "n", "cancelar", "cancela", "cancelo", "no", "cancel"}
)


def _plain(text: str) -> str:
    # "Não" and "nao", "SIM!" and "sim" are the same answer.
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse_reply(text: str) -> str | None:
    """`CONFIRM`, `CANCEL` or None, judged by the answer's first word."""
    words = _plain(text).translate(str.maketrans("", "", string.punctuation)).split()
    if not words:
        return None
    if words[0] in CONFIRM_WORDS:
        return CONFIRM
    if words[0] in CANCEL_WORDS:
        return CANCEL
    return None
