"""What-if changes: typed levers that turn one scenario into another.

A change is a small frozen object (``AddItems``, ``DelayStart``, ``SetApproach``,
...) with two methods:

* ``apply(scenario) -> Scenario`` returns a NEW validated scenario; the base is
  never touched, and the result goes through every cross-field check again;
* ``describe() -> str`` gives a stable one-line description for people, e.g.
  ``Adds 'Near-real-time refresh' (8-25 person-days, 2,500/week) on day 30``.

The same objects come from three places: a variant file's ``changes:`` list
(:func:`parse_changes`), the dashboard's what-if panel (built directly), and
code. :func:`change_to_data` writes one back in the file form.

How each lever maps onto the model (docs/reference/model.md):

* ``add_items`` / ``remove_items`` / ``resize_items`` become a scheduled scope
  change (``scope.changes``) at ``at_day``, including day 0 (before work
  starts). So an addition is counted as *added* scope, the outcome target stays
  the base plan's, and each accepted change pays ``change_control_days``.
* ``reorder`` moves the listed planned items to the top of the backlog, in
  that order (the rest keep theirs after them): the order to build in.
* ``delay_start`` adds to ``delivery.discovery_days``: day 0 stays the start
  date, so dates and deltas stay comparable, and the team is paid while it waits.
* ``add_people`` appends a staffing change (ramp-up and mentoring: Brooks' law).
* ``set_approach``, ``freeze_scope``, ``set_iteration`` set those sections.
* ``set`` sets any single field by path (``team.size``,
  ``items[2].value.per_week``, ``items[approvals].effort``) and re-validates.

Where each part lives:

* :mod:`.types`: the change classes, the one registry of them
  (``CHANGE_CLASSES``, from which ``CHANGE_TYPES`` and the union ``Change``
  are built) and :func:`apply_changes`;
* :mod:`.describe`: their one-line descriptions;
* :mod:`.fileform`: the ``{kind: {...}}`` file form (``parse_change``,
  ``parse_changes``, ``change_to_data``);
* :mod:`.variants`: variant files (``extends``, ``load_variant_data``,
  ``variant_changes``, ...).

Every public name is importable from ``simulation.scenario.changes`` itself.
"""

from simulation.scenario.changes.fileform import (
    MAX_CHANGES,
    change_to_data,
    parse_change,
    parse_changes,
)
from simulation.scenario.changes.types import (
    CHANGE_CLASSES,
    CHANGE_TYPES,
    AddItems,
    AddPeople,
    AddRisk,
    Change,
    ChangeBase,
    DelayStart,
    FreezeScope,
    RemoveItems,
    RemoveRisk,
    Reorder,
    ResizeItems,
    SetApproach,
    SetField,
    SetIteration,
    apply_changes,
)
from simulation.scenario.changes.variants import (
    MAX_EXTENDS_DEPTH,
    VARIANT_KEYS,
    changes_from,
    load_variant_data,
    variant_base,
    variant_changes,
    variant_data,
    variant_descriptions,
)

__all__ = [
    "CHANGE_CLASSES",
    "CHANGE_TYPES",
    "MAX_CHANGES",
    "MAX_EXTENDS_DEPTH",
    "VARIANT_KEYS",
    "AddItems",
    "AddPeople",
    "AddRisk",
    "Change",
    "ChangeBase",
    "DelayStart",
    "FreezeScope",
    "RemoveItems",
    "RemoveRisk",
    "Reorder",
    "ResizeItems",
    "SetApproach",
    "SetField",
    "SetIteration",
    "apply_changes",
    "change_to_data",
    "changes_from",
    "load_variant_data",
    "parse_change",
    "parse_changes",
    "variant_base",
    "variant_changes",
    "variant_data",
    "variant_descriptions",
]
