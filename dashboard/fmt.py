"""The pages' number, money, percentage-point and date formats.

They are :mod:`simulation.present.formats`'s, so a number reads the same on a
page, in the report, on the command line and in an exercise; this module only
keeps the short name the pages use (``fmt.money``).
"""

from simulation.present.formats import *  # noqa: F403

#: How the pages' date fields and date cells show a date: ISO, as every date the
#: pages print (a browser's locale would otherwise give 01/04/2027 or 2027/01/04).
DATE_INPUT = "YYYY-MM-DD"
