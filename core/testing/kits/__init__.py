"""Conformance kits: parametrized suites a plugin author points at their plugin.

- :mod:`chatshop.testing.kits.channel`: subclass ``ChannelKit`` with a ``ChannelDriver`` that plays
  your messenger (its API as a fake, its webhooks as it sends them).
- :mod:`chatshop.testing.kits.payment`: subclass ``PaymentKit`` with a ``PaymentDriver`` that plays
  your provider.

Every built-in channel and payment method passes its kit in chatshop's own suite.
"""
