"""``python -m chatshop`` is the ``chatshop`` command."""

from chatshop.cli import main

main()
