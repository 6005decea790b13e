"""The pages' number, money, percentage-point and date formats.

They are :mod:`simulation.present.formats`'s, so a number reads the same on a
page, in the report, on the command line and in an exercise; this module only
keeps the short name the pages use (``fmt.money``).
"""

from simulation.present.formats import *  # noqa: F403
