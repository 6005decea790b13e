"""``python -m simulation``: the command line of :mod:`simulation.cli`."""

import sys

from simulation.cli import main

if __name__ == "__main__":  # worker processes re-import this module: do not run the CLI there
    sys.exit(main())
