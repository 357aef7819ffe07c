"""Questions asked by @mentioning the bot in a channel (or by DM), answered as replies.

A message can't be ephemeral, so misses and notices are short plain replies; every reply
references the question and pings no one (notes can contain @everyone).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from bot.commands import Requester, SummitService
from bot.commands.results import AnswerReply, Notice, Reply
from bot.platforms.discord.feedback import vote_view
from bot.platforms.discord.render import NO_MENTIONS, Message, failure_message, render

log = logging.getLogger(__name__)
MAX_RETRY_AFTER = 5.0  # seconds: longer than this, the asker has moved on


def is_from_bot(message: discord.Message, me: discord.abc.User) -> bool:
    """Bots (this one included) and webhooks are never answered: no reply loops."""
    return message.author.bot or message.author.id == me.id or message.webhook_id is not None


def mention_question(message: discord.Message, me: discord.abc.User) -> str | None:
    """The rest of a message that mentions the bot; None when it isn't addressed to it.

    Only an explicit mention counts: not @everyone, and not the automatic mention of a reply
    to one of the bot's messages. Mentioning the bot's own role counts, since people pick
    it by mistake. In a DM, every message is a question.
    """
    tokens = [f"<@{me.id}>", f"<@!{me.id}>"]
    role = message.guild.self_role if message.guild is not None else None
    if role is not None:
        tokens.append(role.mention)
    content = message.content
    if message.guild is not None and not any(token in content for token in tokens):
        return None
    for token in tokens:
        content = content.replace(token, " ")
    return content.strip()


async def _reply(message: discord.Message, reply: Message,
                 view: discord.ui.View | None = None) -> None:
    kwargs: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
    if view is not None:
        kwargs["view"] = view
    if reply.content is not None:
        kwargs["content"] = reply.content
    if reply.embed is not None:
        kwargs["embed"] = reply.embed
    try:
        await message.reply(**kwargs)
    except discord.HTTPException as exc:
        # discord.py itself retries 500, 502, 504 and 429; Discord also answers 503 when
        # busy, with a Retry-After: wait as told (briefly) and try once more.
        if exc.status < 500:
            raise
        await asyncio.sleep(_retry_after(exc))
        await message.reply(**kwargs)


def _retry_after(exc: discord.HTTPException) -> float:
    try:
        seconds = float(exc.response.headers.get("Retry-After", 1.0))
    except (AttributeError, TypeError, ValueError):
        seconds = 1.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


async def answer_mention(message: discord.Message, me: discord.abc.User,
                         service: SummitService) -> None:
    """Answer ``message`` if it is a question addressed to the bot."""
    if is_from_bot(message, me):
        return
    question = mention_question(message, me)
    if question is None:
        return
    view = None
    try:
        if not question:
            result: Reply = service.help()
        else:
            author = message.author
            result = await service.ask(question, Requester(
                "discord", str(author.id), name=author.name,
                place=str(message.guild.id if message.guild else message.channel.id),
                direct=message.guild is None))
        if isinstance(result, AnswerReply) and result.answer.answered and result.answer_id:
            view = vote_view(result.answer_id)
        reply = render(result)
    except Exception:
        log.exception("answering a mention failed (message %s)", message.id)
        reply, result = failure_message(), Notice("failure")
    try:
        await _reply(message, reply, view)
    except discord.HTTPException as exc:
        log.warning("the reply to message %s was not delivered (Discord answered %s, also "
                    "when retried); the question was %s", message.id, exc.status,
                    _outcome(result))


def _outcome(result: Reply) -> str:
    if isinstance(result, AnswerReply):
        answer = result.answer
        return "declined" if not answer.answered else \
            "answered" if answer.confident else "hedged"
    return type(result).__name__
