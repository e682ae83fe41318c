"""The built-in shopping dialog, as dialog features registered through ``register_dialog``.

Each module here is a plugin like any third party's: ``menu`` (greeting, main menu, help,
language), ``browse`` (categories, products, search), ``cart``, ``checkout`` (address, postal code,
payment method, summary and the binding confirm) and ``orders`` (the customer's orders).
"""
