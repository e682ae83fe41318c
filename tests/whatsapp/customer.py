"""A customer on WhatsApp for end-to-end tests: writes signed webhooks, taps what the shop sent.

Choices are found in what the fake Graph API actually received, so a test can only tap a button
or list row the customer would really see.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from typing import Any

from chatshop.testing import ShopHarness
from chatshop.testing.fakes.whatsapp import FakeGraph, Sent

from .meta import contact, envelope, signed

_ids = itertools.count(1)


async def eventually(condition: Callable[[], bool], within: float = 10.0) -> None:
    """Wait for something the shop does in the background (a retried send)."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the shop")
        await asyncio.sleep(0.01)


def choices_of(sent: Sent) -> list[tuple[str, str]]:
    """(id, title) of every button or list row in an interactive message."""
    content = sent.content
    if sent.type != "interactive":
        return []
    action = content.get("action", {})
    if content.get("type") == "button":
        return [(b["reply"]["id"], b["reply"]["title"]) for b in action["buttons"]]
    if content.get("type") == "list":
        return [(r["id"], r["title"]) for s in action["sections"] for r in s["rows"]]
    return []


def text_of(sent: Sent) -> str:
    if sent.type == "text":
        return str(sent.content["body"])
    if sent.type == "image":
        return str(sent.content.get("caption", ""))
    if sent.type == "interactive":
        return str(sent.content.get("body", {}).get("text", ""))
    return ""


class Customer:
    def __init__(self, harness: ShopHarness, fake: FakeGraph, wa_id: str, name: str) -> None:
        self.harness = harness
        self.fake = fake
        self.wa_id = wa_id
        self.name = name
        self.seen = 0  # how many of the shop's messages to us we have read

    @property
    def key(self) -> str:
        return f"whatsapp:{self.wa_id}"

    def inbox(self) -> list[Sent]:
        return self.fake.texts(self.wa_id)

    def new(self) -> list[Sent]:
        """The shop's messages since the customer last looked."""
        messages = self.inbox()[self.seen :]
        self.seen = len(self.inbox())
        return messages

    def message(self, kind: str, **content: Any) -> dict[str, Any]:
        return {
            "from": self.wa_id,
            "id": f"wamid.E2E{next(_ids):06d}{self.wa_id}",
            "timestamp": str(int(time.time())),
            "type": kind,
            **content,
        }

    async def post(self, payload: dict[str, Any], *, settle: bool = True) -> int:
        body, headers = signed(payload)
        response = await self.harness.client.post("/webhooks/whatsapp", data=body, headers=headers)
        if settle:
            await self.harness.shop.idle()
        return response.status

    def wrap(self, message: dict[str, Any]) -> dict[str, Any]:
        return envelope(messages=[message], contacts=[contact(self.wa_id, self.name)])

    async def post_and_read(self, message: dict[str, Any]) -> list[Sent]:
        """Send any kind of message; the shop's answers to it."""
        assert await self.post(self.wrap(message)) == 200
        return self.new()

    async def say(self, text: str) -> list[Sent]:
        assert await self.post(self.wrap(self.message("text", text={"body": text}))) == 200
        return self.new()

    async def tap(self, choice_id: str | Callable[[str], bool]) -> list[Sent]:
        """Tap the button or list row with this id (or whose id matches) in the latest menu."""
        match = choice_id if callable(choice_id) else (lambda found: found == choice_id)
        for sent in reversed(self.inbox()):
            for found, title in choices_of(sent):
                if match(found):
                    return await self._reply(sent, found, title)
        raise AssertionError(f"no choice {choice_id!r} in what the shop sent")

    async def _reply(self, sent: Sent, choice_id: str, title: str) -> list[Sent]:
        kind = "button_reply" if sent.content["type"] == "button" else "list_reply"
        interactive = {"type": kind, kind: {"id": choice_id, "title": title}}
        message = self.message("interactive", interactive=interactive)
        message["context"] = {"from": "919800012345", "id": sent.wamid}
        assert await self.post(self.wrap(message)) == 200
        return self.new()


async def tap_stale(customer: Customer, choice_id: str, title: str = "Old button") -> list[Sent]:
    """Tap a button from a menu long gone (or one never sent): WhatsApp delivers whatever id it had."""
    reply = {"type": "button_reply", "button_reply": {"id": choice_id, "title": title}}
    message = customer.message("interactive", interactive=reply)
    message["context"] = {"from": "919800012345", "id": "wamid.HBgMOTE5ODEyMzQ1Njc4FQIAERgSOld"}
    return await customer.post_and_read(message)


def said(messages: list[Sent]) -> str:
    """Everything the customer read in these messages, buttons and rows included."""
    return "\n".join([text_of(m) for m in messages] + [title for m in messages for _, title in choices_of(m)])
