"""Every hard limit the Cloud API enforces on what we send, in one place (research §2).

The renderer cuts to these and the fake Graph API in the tests refuses anything beyond them.
"""

from __future__ import annotations

TEXT_BODY = 4096
INTERACTIVE_BODY = 1024  # Meta's OpenAPI spec says 1024 for every interactive type
HEADER_TEXT = 60
FOOTER_TEXT = 60
CAPTION = 1024
#: Meta names no limit for a document's file name; ours keeps it within what file systems allow.
DOCUMENT_FILENAME = 240

MAX_BUTTONS = 3
BUTTON_TITLE = 20
BUTTON_ID = 256

LIST_BUTTON = 20
MAX_SECTIONS = 10
MAX_ROWS = 10  # in all sections together
ROW_TITLE = 24
ROW_DESCRIPTION = 72
ROW_ID = 200
SECTION_TITLE = 24

MAX_PRODUCTS = 30  # product_list, in all sections together
CAROUSEL_CARDS = (2, 10)  # a product carousel: at least two cards, at most ten

REFERENCE_ID = 35
ITEM_NAME = 60
ORDER_DESCRIPTION = 120
TEMPLATE_PARAMETER = 1024
