"""Filters for the message templates of `notifications/messages/`."""

from django import template

register = template.Library()

SENTENCE_ENDINGS = (".", "!", "?", "…")
# Closing marks that may follow a sentence's own punctuation: 'said "no."'.
CLOSING_MARKS = "\"')]»”’"


@register.filter
def sentence(text) -> str:
    """`text` as a finished sentence: a full stop is added unless it already
    ends with punctuation, so the next sentence can follow it."""
    text = str(text).rstrip()
    if not text or text.rstrip(CLOSING_MARKS).endswith(SENTENCE_ENDINGS):
        return text
    return text + "."
