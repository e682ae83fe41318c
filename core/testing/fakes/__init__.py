"""Fakes of the messengers' and payment providers' APIs, written from their documentation.

Each is a small aiohttp application that checks what the real API checks (authentication,
required fields, limits, signatures) and records what it was sent; some can play the customer
(a payment made, a webhook delivered). Run one with ``aiohttp.test_utils.TestServer`` and point the
plugin's ``api_base_url`` at it. They are installed with chatshop, for plugin authors' tests too.
"""
