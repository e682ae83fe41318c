"""The law at the confirm button: which rules apply to a shop, what it must show, what is missing.

- EU (Germany's §312j BGB, the Consumer Rights Directive art. 8): the button that places the order
  says unambiguously that the order is binding and must be paid ("zahlungspflichtig bestellen",
  "kaufen"; "Bestellen" alone is not enough), and right above it the customer sees the total, the
  delivery costs, and the shop's terms and withdrawal policy; the order confirmation repeats them
  on a durable medium (the chat). The imprint (Impressum) names who sells.
- India (Consumer Protection (E-Commerce) Rules, 2020, rules 4 and 5): the seller's name and
  address, the grievance officer's name and contact, and the total price in its breakup.

The rules apply by the shop's currency or its language; ``chatshop check`` warns, naming the keys
of ``[legal]``, when they apply and something they need is missing.
"""

from __future__ import annotations

from collections.abc import Callable

from chatshop.config import ConfigProblem, ShopConfig

__all__ = ["applies_eu", "applies_india", "legal_lines", "legal_warnings"]

#: Currencies of EU member states (the euro area and the others).
EU_CURRENCIES = frozenset({"EUR", "PLN", "CZK", "SEK", "DKK", "HUF", "RON", "BGN"})


def applies_eu(config: ShopConfig) -> bool:
    """EU consumer law: a shop selling in an EU currency, or in German by default."""
    return config.shop.currency in EU_CURRENCIES or config.shop.locale.split("-")[0] == "de"


def applies_india(config: ShopConfig) -> bool:
    return config.shop.currency == "INR"


_EU_KEYS = {
    "terms_url": "the terms and conditions, linked above the binding button",
    "withdrawal_url": "the withdrawal policy (Widerrufsbelehrung), linked above the binding button",
    "imprint_url": "the imprint (Impressum): who sells",
    "seller_name": "the seller's legal name, on the imprint and the invoice",
    "seller_address": "the seller's address, on the imprint and the invoice",
}
_INDIA_KEYS = {
    "seller_name": "the seller's name (E-Commerce Rules 2020, rule 5)",
    "seller_address": "the seller's address (rule 5)",
    "grievance_officer_name": "the grievance officer's name (rule 4)",
    "grievance_officer_contact": "the grievance officer's phone or email (rule 4)",
}


def legal_warnings(config: ShopConfig) -> list[ConfigProblem]:
    """Keys of ``[legal]`` the law of the shop's market needs and the file lacks."""
    legal = config.legal
    wanted: dict[str, str] = {}
    why = []
    if applies_eu(config):
        wanted |= _EU_KEYS
        why.append(f"EU consumer law (currency {config.shop.currency}, language {config.shop.locale})")
    if applies_india(config):
        wanted |= {k: v for k, v in _INDIA_KEYS.items() if k not in wanted}
        why.append("India's E-Commerce Rules 2020 (currency INR)")
    problems = [
        ConfigProblem(path=f"legal.{key}", message=f"missing: {what}; required by {' and '.join(why)}")
        for key, what in wanted.items()
        if getattr(legal, key) is None
    ]
    if config.tax is not None and config.tax.prices == "exclusive" and applies_eu(config):
        message = 'EU prices shown to consumers include VAT: expected prices = "inclusive"'
        problems.append(ConfigProblem(path="tax.prices", message=message))
    if config.invoices is not None and applies_india(config) and config.legal.gstin is None:
        message = "missing: a GST tax invoice shows the seller's GSTIN"
        problems.append(ConfigProblem(path="legal.gstin", message=message))
    if config.invoices is not None and applies_eu(config) and not (config.legal.vat_id or config.legal.tax_number):
        message = "missing: an invoice shows the seller's VAT id or tax number (§14 UStG)"
        problems.append(ConfigProblem(path="legal.vat_id", message=message))
    return problems


def legal_lines(config: ShopConfig, t: Callable[..., str], *, button: str | None = None) -> list[str]:
    """What the law wants said above the confirm button (``button``: its label) and repeated in the
    order confirmation (``button`` None): links, seller, grievance officer; in the customer's words."""
    legal = config.legal
    lines: list[str] = []
    if applies_eu(config):
        if button is not None:
            lines.append(t("legal_binding", button=button))
        for key, url in (
            ("legal_terms", legal.terms_url),
            ("legal_withdrawal", legal.withdrawal_url),
            ("legal_imprint", legal.imprint_url),
        ):
            if url:
                lines.append(t(key, url=url))
    if applies_india(config):
        if legal.seller_name:
            seller = ", ".join(p for p in (legal.seller_name, legal.seller_address) if p)
            lines.append(t("legal_seller", seller=seller))
        if legal.grievance_officer_name or legal.grievance_officer_contact:
            officer = ", ".join(p for p in (legal.grievance_officer_name, legal.grievance_officer_contact) if p)
            lines.append(t("legal_grievance", officer=officer))
    return lines
