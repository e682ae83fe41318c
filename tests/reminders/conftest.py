"""A customer's cart left behind, and the shop's jobs run a while later, both counted from the
test's ``t0``; reminder tests run WhatsApp through its fake Graph API: its fixtures from there."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

import pytest

from chatshop.testing import ShopHarness
from tests.whatsapp.conftest import fake, graph, secrets_env

__all__ = ["CartLeaver", "JobRunner", "fake", "graph", "secrets_env"]

#: ``await leave_a_cart(h, customer="asha", start=None)``: what the ``leave_a_cart`` fixture gives.
CartLeaver = Callable[..., Awaitable[None]]
#: ``await run_jobs(h, minutes, start=None)``: jobs run; what the ``run_jobs`` fixture gives.
JobRunner = Callable[..., Awaitable[int]]


@pytest.fixture
def leave_a_cart(t0: datetime) -> CartLeaver:
    """A customer puts atta in their cart at ``t0`` (or ``start``) and goes away."""

    async def leave(h: ShopHarness, customer: str = "asha", start: datetime | None = None) -> None:
        h.set_clock(start or t0)
        await h.say(customer, "atta")
        assert "Added 1" in await h.say(customer, "1")  # Add to cart

    return leave


@pytest.fixture
def run_jobs(t0: datetime) -> JobRunner:
    """The shop's clock ``minutes`` after ``t0`` (or ``start``), the jobs due run, their messages
    sent; how many ran."""

    async def run(h: ShopHarness, minutes: float, start: datetime | None = None) -> int:
        h.set_clock((start or t0) + timedelta(minutes=minutes))
        ran = await h.shop.jobs.run_due()
        await h.shop.idle()
        return ran

    return run
