"""docs/payments.md's complete provider is real code: it imports, registers and runs in a shop, and
follows the rules the page states (the core's payment_request, refund keys, no IllegalTransition
caught by hand)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from pathlib import Path

import pytest

from chatshop.testing import DEMO_SHOP_TOML, running_shop

ROOT = Path(__file__).parents[2]
PAGE = (ROOT / "docs" / "payments.md").read_text(encoding="utf-8")
SECRET = "whsec-acme"


def example() -> str:
    [code] = [block for block in re.findall(r"```python\n(.*?)```", PAGE, re.S) if "class AcmePay" in block]
    return code


def test_the_example_follows_the_rules_the_page_states() -> None:
    code = example()
    assert "self.payment_request(" in code, "the payment message is the core's, not built by hand"
    assert "refund_key" in code and "IllegalTransition" not in code
    compile(code, "acme_pay.py", "exec")


async def test_the_example_runs_in_a_shop_and_refuses_a_forged_webhook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "acme_pay_example.py").write_text(example(), encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ACME_API_KEY", "key")
    monkeypatch.setenv("ACME_WEBHOOK_SECRET", SECRET)
    toml = DEMO_SHOP_TOML + '\n[plugins]\nmodules = ["acme_pay_example"]\n[payments.acme]\n'
    async with running_shop(toml, tmp_path / "shop") as h:
        assert "acme" in h.shop.payment_methods
        event = {"id": "evt_1", "type": "link.paid",
                 "link": {"reference": "NO-SUCH", "amount_paid": 100, "currency": "EUR"}}
        body = json.dumps(event).encode()
        signed = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        forged = await h.client.post("/webhooks/payments/acme", data=body, headers={"Acme-Signature": "0" * 64})
        assert forged.status == 401
        verified = await h.client.post("/webhooks/payments/acme", data=body, headers={"Acme-Signature": signed})
        assert verified.status == 200  # acknowledged; an unknown order changes nothing
