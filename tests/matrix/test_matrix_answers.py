"""How a notes answer reads in a real Matrix room (a real Synapse, real matrix-nio clients)."""

from __future__ import annotations

import dataclasses

import pytest

from bot.commands import SummitService
from bot.commands.text import HEDGE, HEDGE_ALONE
from tests.matrix.conftest import BotFactory, Person, wait_until


async def room_with_bot(alice: Person, bot_id: str) -> str:
    room_id = await alice.create_room(invite=[bot_id])

    async def joined() -> bool:
        return bot_id in await alice.members(room_id)

    await wait_until(joined)
    return room_id


async def test_a_hedged_answer_quotes_first_then_says_so_and_lists_other_candidates(
        start_bot: BotFactory, person, service: SummitService,  # type: ignore[no-untyped-def]
        monkeypatch: pytest.MonkeyPatch) -> None:
    # every answer hedged (declines stay declines), whatever the fitted model makes of the
    # question: the rendering of a hedged answer is tested here, not the model
    monkeypatch.setattr(service.answerer, "confidence", dataclasses.replace(
        service.answerer.confidence, confident_at=2.0))
    bot = await start_bot()
    alice = await person("alice")
    room_id = await room_with_bot(alice, bot.client.user_id)
    asked = await alice.send(room_id, "!ask is tape still used for backups")
    content = (await alice.reply_to(room_id, asked, bot.client.user_id))["content"]
    assert content["msgtype"] == "m.notice" and content["m.mentions"] == {}
    body = content["body"].split("\n")
    assert body[0] == "Intercloud Object Storage: Colony"  # the title, not the caveat
    caveat = HEDGE if HEDGE in body else HEDGE_ALONE
    assert body.index(caveat) > max(n for n, line in enumerate(body) if line.startswith("> "))
    assert all(line.startswith("- ") for line in body[body.index(caveat) + 1:])
    html = content["formatted_body"]
    assert html.startswith("<b>Intercloud Object Storage: Colony</b>")
    assert html.index("</blockquote>") < html.index(f"<p><i>{caveat}</i></p>")
    assert "See also" not in html and "See also" not in content["body"]
