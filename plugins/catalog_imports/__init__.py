"""Catalogs exported from Shopify and WooCommerce, read as they are (``[catalog] file``)."""
