"""What a room message asks of the bot: a command, a question, or nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.commands.table import BY_NAME


@dataclass(slots=True, frozen=True)
class Request:
    command: str  # a name in the command table
    argument: str


def _strip_mention(body: str, user_id: str, display_name: str | None) -> str | None:
    """The rest of the message if it starts by mentioning the bot, else None."""
    text = body.lstrip()
    names = [user_id, user_id.split(":", 1)[0]]
    if display_name:
        names.append(display_name)
    for name in names:
        if name and text.casefold().startswith(name.casefold()):
            rest = text[len(name):]
            if not rest or rest[0] in ":, \t\n":
                return rest.lstrip(":, \t\n")
    return None


def _pill_mention(formatted: str | None, user_id: str) -> bool:
    """Does the HTML body start with a pill (a matrix.to link) to the bot?"""
    if not formatted:
        return False
    head = formatted.lstrip()[:300]
    return bool(re.match(r"<a\s+href=[\"']https://matrix\.to/#/" + re.escape(user_id), head))


def parse_request(
    body: str,
    *,
    prefix: str,
    user_id: str,
    display_name: str | None,
    formatted_body: str | None = None,
    mentioned_ids: list[str] | None = None,
    direct: bool = False,
) -> Request | None:
    """``!ask …`` and friends; a message that starts by mentioning the bot, or any message
    in a direct chat, is a question."""
    text = body.strip()
    if text.startswith(prefix):
        word, _, argument = text[len(prefix):].partition(" ")
        if word.lower() in BY_NAME:
            return Request(word.lower(), argument.strip())
        return None
    rest = _strip_mention(text, user_id, display_name)
    if rest is None and (_pill_mention(formatted_body, user_id)
                         or user_id in (mentioned_ids or [])):
        # a pill whose plain body is another rendering of the name: "Name: question"
        rest = text.split(":", 1)[1].strip() if ":" in text[:80] else text
    if rest is not None:
        if rest.startswith(prefix):
            return parse_request(rest, prefix=prefix, user_id=user_id,
                                 display_name=display_name)
        return Request("ask", rest)
    if direct:
        return Request("ask", text)
    return None
