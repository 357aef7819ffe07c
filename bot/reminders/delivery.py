"""What a platform adapter offers to deliver reminders: one direct message to a person."""

from __future__ import annotations

from typing import Literal, Protocol, runtime_checkable

# sent: delivered. refused: the person cannot be written to (DMs closed, left, unknown):
# trying again will not help. failed: not now (not connected, rate limited, a network
# fault): try again shortly.
Delivery = Literal["sent", "refused", "failed"]


@runtime_checkable
class DirectSender(Protocol):
    name: str  # the platform: "discord", "matrix", "console"

    async def send_direct(self, user: str, text: str, ref: str) -> Delivery:
        """Send ``text`` (plain: the adapter escapes it, with no mentions allowed) to the
        person's direct chat, opening one if there is none. ``ref`` is this message's own
        id (a Discord nonce, a Matrix transaction id): sent again with the same ``ref``,
        the platform keeps one message."""
        ...
