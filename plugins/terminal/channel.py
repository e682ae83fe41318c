"""A channel whose customer sits at this terminal: lines in, plain text out.

It shows no buttons or lists, so it exercises the whole fallback ladder: every menu arrives numbered
and the customer answers with the number.
"""

from __future__ import annotations

import itertools
import sys
from typing import TextIO

from chatshop.channels import Capabilities, Channel, SendResult
from chatshop.messages import Outbound
from chatshop.plaintext import plain_text


class TerminalChannel(Channel):
    name = "terminal"
    capabilities = Capabilities(max_text_length=4096, max_buttons=0, max_list_rows=0, images=False)

    #: Where replies are printed; tests and the ``chat`` command may point it elsewhere.
    output: TextIO = sys.stdout
    _ids = itertools.count(1)

    async def send(self, customer_id: str, message: Outbound) -> SendResult:
        text = plain_text(message)
        print(f"\n{text}\n", file=self.output, flush=True)
        return SendResult(provider_message_id=f"terminal-{next(self._ids)}")
