"""Write the demo work-item exports of a made-up team (``python scenarios/history/generate.py``).

The same items in both layouts the History page reads (docs/reference/history.md):

* ``team-stories.csv``: stage columns as ActionableAgile's jira-to-analytics
  writes them (ISO dates; bugs skip Analysis, some items skip Review);
* ``team-stories-flat.csv``: an Azure DevOps query export (byte-order mark,
  ``Activated Date`` / ``Closed Date`` as ``M/d/yyyy h:mm AM``).

About 320 items from 23 June 2025 to the export on 18 December 2026, before the
library scenarios start (the history lies in the past): a team that
starts about 0.8 items a working day, cycle times roughly lognormal (median
about 4 working days), a few items still in progress or not started. Seeded, so
the files are the same on every run; the tests read them.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SEED = 2027
FIRST_START = np.datetime64("2025-06-23")
EXPORT_DAY = np.datetime64("2026-12-18")  # the day the export was taken
STARTS_PER_DAY = 0.8  # items started per working day
CT_MEDIAN_DAYS = 4.0  # working days
CT_SIGMA = 0.7  # lognormal shape
TYPES = ("Story", "Bug", "Spike")
TYPE_SHARES = (0.7, 0.2, 0.1)
STAGES = ("Backlog", "Analysis", "In Progress", "Review", "Done")


def items(rng: np.random.Generator) -> list[dict]:
    out = []
    day = FIRST_START
    n = 0
    while day <= EXPORT_DAY:
        for _ in range(rng.poisson(STARTS_PER_DAY)):
            n += 1
            kind = rng.choice(TYPES, p=TYPE_SHARES)
            ct = int(np.ceil(rng.lognormal(np.log(CT_MEDIAN_DAYS), CT_SIGMA)))
            if kind == "Bug":
                ct = max(1, ct // 2)
            done = np.busday_offset(day, ct - 1)
            # Some Friday finishes slip into a Saturday (a release weekend): they count
            # on the next working day.
            if done.astype(dt.date).weekday() == 4 and rng.random() < 0.3:
                done = done + np.timedelta64(1, "D")
            stages = {
                "Backlog": day - np.timedelta64(int(rng.integers(1, 40)), "D"),
                "Analysis": None if kind == "Bug" else day,
                "In Progress": np.busday_offset(day, int(0.25 * (ct - 1)) if kind != "Bug" else 0),
                "Review": None
                if rng.random() < 0.15
                else np.busday_offset(day, int(0.75 * (ct - 1))),
                "Done": done,
            }
            for name, d in stages.items():
                if d is not None and d > EXPORT_DAY:
                    stages[name] = None
            out.append(
                {
                    "id": f"TEAM-{n}",
                    "type": str(kind),
                    "stages": stages,
                    "name": f"{kind} {n}: "
                    + rng.choice(
                        [
                            "Export, with totals",
                            'The "quick" filter',
                            "Login flow",
                            "Report layout",
                            "Stock alert",
                            "Search",
                        ]
                    ),
                }
            )
        day = np.busday_offset(day, 1)
    # A few items waiting in the backlog at the export: not started.
    for _ in range(6):
        n += 1
        out.append(
            {
                "id": f"TEAM-{n}",
                "type": "Story",
                "name": f"Story {n}: Idea",
                "stages": {
                    "Backlog": EXPORT_DAY - np.timedelta64(int(rng.integers(1, 20)), "D"),
                    **{s: None for s in STAGES[1:]},
                },
            }
        )
    return out


def iso(d) -> str:
    return "" if d is None else str(d)


def azure(d, rng: np.random.Generator) -> str:
    if d is None:
        return ""
    day = d.astype(dt.date)
    hour, minute = int(rng.integers(8, 18)), int(rng.integers(0, 60))
    h12 = hour % 12 or 12
    return f"{day.month}/{day.day}/{day.year} {h12}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def main() -> None:
    rng = np.random.default_rng(SEED)
    rows = items(rng)
    with (HERE / "team-stories.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "Link", "Name", *STAGES, "Type", "Labels"])
        for it in rows:
            w.writerow(
                [
                    it["id"],
                    f"https://jira.example/browse/{it['id']}",
                    it["name"],
                    *(iso(it["stages"][s]) for s in STAGES),
                    it["type"],
                    "ui, backend" if it["type"] == "Story" else "",
                ]
            )
    times = np.random.default_rng(SEED + 1)
    with (HERE / "team-stories-flat.csv").open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(["ID", "Work Item Type", "Title", "State", "Activated Date", "Closed Date"])
        for it in rows:
            s = it["stages"]
            started = next((s[k] for k in STAGES[1:] if s[k] is not None), None)
            state = "Closed" if s["Done"] is not None else ("Active" if started else "New")
            w.writerow(
                [
                    it["id"],
                    it["type"],
                    it["name"],
                    state,
                    azure(started, times),
                    azure(s["Done"], times),
                ]
            )
    print(f"wrote {len(rows)} items to {HERE.name}/team-stories.csv and team-stories-flat.csv")


if __name__ == "__main__":
    main()
