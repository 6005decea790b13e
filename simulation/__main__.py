"""``python -m simulation``: see :mod:`simulation.cli`."""

import sys

from .cli import main

sys.exit(main())
