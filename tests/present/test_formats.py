"""Dates and missing values read without pandas where pandas is not needed.

A cold ``run --json`` formats its dates with :mod:`simulation.present.formats`
and imports no pandas (``docs/explanation/big-runs.md``); these check that the
pandas-free paths give what pandas gives, and that pandas still reads the rest.
"""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from simulation.present import formats
from tests.helpers import ROOT


@pytest.mark.parametrize(
    "value",
    [
        "2027-05-04",
        "2028-02-29",
        "2027-02-30",  # no such day: None, as pandas says
        "2027-5-4",  # not ISO: pandas reads it
        "4 May 2027",
        dt.date(2027, 5, 4),
        dt.datetime(2027, 5, 4, 13, 30),
        pd.Timestamp("2027-05-04 08:00"),
        np.datetime64("2027-05-04"),
        pd.NaT,
        np.datetime64("NaT"),
        None,
        float("nan"),
        "not a date",
    ],
)
def test_as_date_equals_pandas_reading(value):
    """Each value reads as the date pandas reads it (None where pandas finds no
    date or a missing one). Catches the ISO shortcut reading a date pandas
    would not, or a missing value taken for a date."""
    try:
        expected = None if pd.isna(value) else pd.Timestamp(value).date()
    except (TypeError, ValueError):
        expected = None
    assert formats.as_date(value) == expected


@pytest.mark.parametrize(
    ("value", "missing"),
    [
        (None, True),
        (float("nan"), True),
        (math.inf, True),
        (np.float64("nan"), True),
        (pd.NaT, True),
        (np.datetime64("NaT"), True),
        (pd.NA, True),
        ("", False),
        ("n/a", False),
        (0, False),
        (True, False),
        (dt.date(2027, 1, 4), False),
        (np.int64(3), False),
    ],
)
def test_is_missing(value, missing):
    """None, NaN, infinities, NaT and pandas' NA are missing; text, numbers and
    dates are not."""
    assert formats.is_missing(value) is missing


def test_dates_and_numbers_format_without_importing_pandas():
    """In a process without pandas, ISO dates, dates, numbers and None format as
    usual and pandas stays unimported. Catches a module-level pandas import in
    the formats, or a shortcut that falls through to pandas for plain values."""
    code = (
        "import sys\n"
        "from simulation.present import formats\n"
        "print(formats.date('2027-05-04'), '|', formats.date(None), '|', "
        "formats.money(1040000.0), '|', formats.pct(0.85))\n"
        "print('pandas' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert out[0].split(" | ") == [
        "4 May 2027",
        "never",
        formats.money(1040000.0),
        formats.pct(0.85),
    ]
    assert out[1] == "False", "formatting plain values imported pandas"


@pytest.mark.parametrize(
    ("value", "signed", "shown"),
    [
        (-0.3, True, "0"),
        (-0.4, False, "0"),
        (0.4, True, "0"),
        (-0.6, True, "-1"),
        (0.6, True, "+1"),
        (-12_345, True, "-12 k"),
    ],
)
def test_money_never_shows_a_signed_zero(value, signed, shown):
    """A difference that rounds to nothing reads "0", not "-0" or "+0" (the Decide
    page's best order showed "vs best -0"); one that rounds to 1 keeps its sign."""
    assert formats.money(value, signed=signed) == shown


def test_days_agree_in_number_with_the_number_shown():
    """The unit follows the number as printed: 0.96 and 1.04 print as "1", so "1
    working day" (the Portfolio ripple read "+1 working days"); 1.5 and 0 are plural,
    -1 singular. Catches the unit chosen from the unrounded value."""
    from simulation.present.formats import days

    assert days(0.96, signed=True, working=True) == "+1 working day"
    assert days(1.04) == "1 day"
    assert days(-1.0, signed=True) == "-1 day"
    assert days(1.5) == "1.5 days" and days(0.0) == "0 days"
    assert days(0.04, signed=True) == "±0 days"
