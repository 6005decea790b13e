"""Track: where the initiative stands, and what it will now deliver.

See ``docs/reference/track.md``.
"""

from simulation.track.adoption import AdoptionFit, bass_share, fit_adoption
from simulation.track.forecast import Reforecast, as_of_clock, plan_today, track
from simulation.track.status import (
    ItemProgress,
    RiskStatus,
    Status,
    load_status,
    load_status_text,
    save_status,
    status_from_data,
    status_to_yaml,
)

__all__ = [
    "AdoptionFit",
    "ItemProgress",
    "Reforecast",
    "RiskStatus",
    "Status",
    "as_of_clock",
    "bass_share",
    "fit_adoption",
    "load_status",
    "load_status_text",
    "plan_today",
    "save_status",
    "status_from_data",
    "status_to_yaml",
    "track",
]
