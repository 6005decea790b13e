"""The Decide page's **Best order** section: the order to build in, CD3 beside it,
"use this order" as a variant (docs/reference/sequencing.md).

The numbers are :func:`simulation.best_order`'s; this module only asks for it,
shows the ranked orders and turns the chosen one into a What-if variant of the
base (and a variant file to download).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
import yaml

from dashboard import fmt, levers, prose, simulate, state
from simulation import Scenario, Sequencing, Session, best_order, scenario_to_yaml
from simulation.present.sentences import best_order_sentence

ORDER = "decide_order"  # (key, Sequencing) of the last search
#: Futures per ranked order on the page at most (the search itself uses fewer).
MAX_PAGE_RUNS = 1_000


def order_view(s: Sequencing) -> pd.DataFrame:
    """The ranked orders for display: names, NPV, the difference from the best, dates."""
    rows = []
    for r in s.table.itertuples():
        marks = [m for m, on in (("CD3", r.cd3), ("current plan", r.current)) if on]
        rows.append(
            {
                "Rank": r.rank,
                "Order": r.names,
                "Also": ", ".join(marks) or "—",
                "Mean NPV": fmt.money(r.npv_mean),
                "NPV vs best": fmt.money(r.npv_vs_best, signed=True),
                "P50 delivery": fmt.date(r.delivery_p50_date),
                "P85 delivery": fmt.date(r.delivery_p85_date),
                "Beats CD3": fmt.pct(r.beats_cd3),
            }
        )
    return pd.DataFrame(rows)


def sentence(s: Sequencing) -> str:
    """The best order against CD3, in the words the command line prints too."""
    label = s.scenario.item
    best, cd3 = s.table.iloc[0], s.row(s.cd3)
    return best_order_sentence(
        [label(i).label for i in s.best],
        best.npv_mean,
        [label(i).label for i in s.cd3],
        cd3.npv_mean,
        s.best_beats_share,
        s.best_behind_share,
    )


def variant_name(s: Sequencing, order: list[str]) -> str:
    """``Build order: A, B, C`` (first three names), the What-if variant's name."""
    names = [s.scenario.item(i).label for i in order]
    return "Build order: " + ", ".join(names[:3]) + (", …" if len(names) > 3 else "")


def variant_file(s: Sequencing, base_ref: str | None, order: list[str]) -> tuple[str, str] | None:
    """(file name, YAML) of ``order`` as a variant of the base file; None without a file."""
    if not base_ref:
        return None
    data = s.variant_file(Path(base_ref).name, order, name=variant_name(s, order))
    stem = levers.new_id(f"{s.scenario.name}-order", set(), "order")
    return f"{stem}.yaml", yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def use_order(s: Sequencing, order: list[str]) -> str:
    """Add ``order`` to the What-if variants of the working scenario; returns its name.

    The variant is pinned to the session's base when that is not the working
    scenario, so it stays the base built in this order.
    """
    name = variant_name(s, order)
    base: Scenario | None = None
    working = state.scenario()
    if working is None or scenario_to_yaml(working) != scenario_to_yaml(s.scenario):
        base = s.scenario
    variants = [v for v in state.variants() if v.name != name]
    variants.append(state.Variant(name, [s.change(order)], base=base))
    st.session_state[state.VARIANTS] = variants
    return name


def show_best_order(ses: Session, runs: int, seed: int) -> None:
    """The **Best order** section for the session's base (one call from the Decide page)."""
    ss = st.session_state
    st.subheader("Best order")
    st.caption(prose.part("decide_order", "best order"))
    runs = min(int(runs), MAX_PAGE_RUNS)
    key: Any = (scenario_to_yaml(ses.base), runs, seed)
    cached = ss.get(ORDER)
    if not (cached and cached[0] == key):
        simulate.say_if_stopped("order search", "Find the best order")
        if not st.button("Find the best order", key="decide_order_go", icon=":material/sort:"):
            return
        s = simulate.search(
            "order search",
            "Trying orders",
            "orders simulated",
            lambda update: best_order(ses.base, runs=runs, seed=seed, progress=update),
        )
        if s is None:
            return
        ss[ORDER] = cached = (key, s)
    s: Sequencing = cached[1]
    how = "every order" if s.method == "exhaustive" else "the CD3 order improved by swaps"
    st.markdown(sentence(s))
    st.caption(
        f"{s.tried:,} orders tried ({how}); the best {len(s.table)} simulated with "
        f"{s.runs:,} futures each, the same futures for every order."
    )
    st.dataframe(order_view(s), hide_index=True, width="stretch", key="decide_order_table")
    labels = {r.rank: r.names for r in s.table.itertuples()}
    pick = st.selectbox(
        "Order to use",
        list(labels),
        format_func=lambda k: f"{k}. {labels[k]}",
        key="decide_order_pick",
    )
    order = list(s.table.set_index("rank").loc[pick, "order"])
    c1, c2 = st.columns(2)
    if c1.button("Use this order", key="decide_order_use", icon=":material/check:"):
        name = use_order(s, order)
        st.success(f"Added “{name}” to the What-if variants: compare it there with the plan.")
    made = variant_file(s, ses.base_ref, order)
    if made:
        c2.download_button(
            "This order as a variant (YAML)",
            made[1].encode(),
            file_name=made[0],
            mime="application/x-yaml",
            icon=":material/download:",
            key="decide_order_download",
        )
