"""Text from documents and from the model, made safe to show as Markdown in the chat bubble.

A document can hold Markdown or HTML (an uploaded .md or .html file, a title), and the model can copy it into an
answer: an image would load from a remote server when the answer is shown (a tracking pixel), a link would lead
away (phishing). Titles and quotes are shown as plain text; the model's text keeps its emphasis and lists, loses
every image and raw HTML tag, and keeps links only to the app's own documents.
"""

from __future__ import annotations

import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()<>!|~#&])")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\(\s*<?([^)\s>]*)>?[^)]*\)")
_REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", re.MULTILINE)
_ANGLE = re.compile(r"<")
_BARE_URL = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*):(//)")
_WWW = re.compile(r"\b(www)\.", re.IGNORECASE)
_OWN_DOCUMENT = re.compile(r"^/?api/v1/documents/[0-9a-f]+/file(#page=\d+)?$")


def _without_autolinks(text: str) -> str:
    """Addresses shown as text: Markdown would turn "https://…" and "www.…" into links by themselves."""
    text = _BARE_URL.sub(lambda match: f"{match.group(1)}:\\/\\/", text)
    return _WWW.sub(r"\1\\.", text)


def escape_markdown(text: str) -> str:
    """Plain text that renders as itself: every character Markdown or HTML would act on is escaped."""
    return _without_autolinks(_MARKDOWN_SPECIAL.sub(r"\\\1", text))


def _kept_link(match: re.Match[str]) -> str:
    text, url = match.group(1), match.group(2)
    return match.group(0) if _OWN_DOCUMENT.match(url) else text


def safe_markdown(text: str) -> str:
    """The model's (or a preview's) Markdown without images, raw HTML, autolinks or links away from the app."""
    text = _IMAGE.sub(lambda match: match.group(1), text)
    text = _REFERENCE_DEFINITION.sub("", text)
    text = _LINK.sub(_kept_link, text)
    return _without_autolinks(_ANGLE.sub(r"\\<", text))
