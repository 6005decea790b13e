"""Portfolio page: initiatives that share people, the roadmap, and the ripple of a change.

On top of :mod:`simulation.portfolio` (``docs/reference/portfolio.md``); the
widget values become its change objects in :mod:`dashboard.portfolio_view`.
"""

from __future__ import annotations

import streamlit as st

from dashboard import (
    fmt,
    portfolio_charts,
    portfolio_view,
    prose,
    report_button,
    simulate,
    turns,
)
from simulation import ScenarioError
from simulation.portfolio import (
    Portfolio,
    compare_portfolios,
    load_portfolio,
    portfolio_files,
    run_portfolio,
)
from simulation.portfolio.changes import apply_portfolio_changes
from simulation.scenario.library import library_files

BUILD = "Build from library plans"
ORDER = "pf_order"  # the priority order the arrows edit
RIPPLE = "pf_ripple"  # the last comparison: (key, PortfolioComparison, variant name)
#: Runs the page offers (a portfolio runs in one process: a few seconds at 500).
RUN_CHOICES = (100, 200, 500, 1000)
DEFAULT_RUNS = 200


@st.cache_resource(show_spinner=False, max_entries=8)
def _run(key: str, _p: Portfolio, runs: int, seed: int):
    """The portfolio's results, cached by its file and settings (``key``)."""
    results = run_portfolio(_p, runs=runs, seed=seed)
    _simulated().add((key, runs, seed))
    return results


@st.cache_resource(show_spinner=False)
def _simulated() -> set[tuple[str, int, int]]:
    """The ``_run`` keys simulated in this server process (kept across the page's runs:
    a page's module globals are not): those never wait in the line again."""
    return set()


def _results(key: str, p: Portfolio, runs: int, seed: int):
    """``_run`` in its turn on the server (``docs/reference/server-settings.md``), unless
    simulated already (a result at hand never waits)."""
    if (key, runs, seed) in _simulated():
        return _run(key, p, runs, seed)
    return turns.take(
        "portfolio_run",
        ("portfolio_run", key, runs, seed),
        runs,
        len(p.ids),
        lambda: _run(key, p, runs, seed),
    )


def results_key(p: Portfolio, runs: int) -> str:
    """What the results are a function of: the file (or the built portfolio's parts) and runs.

    Plans are named by file, so a file edited while the page is open needs a reload.
    """
    parts = [(i.id, i.plan, i.team_size, str(i.scenario.start_date)) for i in p.initiatives]
    return repr((p.source, p.name, parts, p.shared, p.depends_on, p.moves, runs, p.seed))


def _pick() -> Portfolio | None:
    # Bases first (a variant's file names its base with ``extends``), then variants.
    paths = sorted(portfolio_files(), key=lambda p: "extends:" in p.read_text(encoding="utf-8"))
    files = {p.name: p for p in paths}
    choice = st.selectbox("Portfolio", [*files, BUILD], key="pf_file")
    if choice != BUILD:
        return load_portfolio(files[choice])
    plans = [p.name for p in library_files() if "extends" not in p.read_text(encoding="utf-8")]
    chosen = st.multiselect(
        "Plans, in priority order",
        plans,
        default=[p for p in ("supply-chain.yaml", "grant-portal.yaml") if p in plans],
        key="pf_plans",
    )
    c1, c2 = st.columns(2)
    pool = c1.number_input("Shared people (serve every plan)", 0, 50, 2, key="pf_pool")
    share = c2.slider("Own team kept, share of each plan's team", 0.0, 1.0, 0.5, 0.1)
    if not chosen:
        st.info("Pick at least one plan.")
        return None
    return portfolio_view.build_portfolio(chosen, int(pool), float(share))


def _order_arrows(base: Portfolio) -> list[str]:
    """The priority order, edited with one arrow per initiative (first = highest)."""
    # Per portfolio: another one (even with the same ids) starts from its own order.
    owner = (base.name, base.ids)
    if st.session_state.get(ORDER, (None, []))[0] != owner:
        st.session_state[ORDER] = (owner, list(base.ids))
    order = st.session_state[ORDER][1]
    st.markdown("**Priority order**")
    for i, iid in enumerate(order):
        c1, c2 = st.columns([5, 1])
        c1.text(f"{i + 1}. {iid}")  # text, not Markdown (which would make a list)
        if c2.button("↑", key=f"pf_up_{iid}", disabled=i == 0, help=f"Move {iid} up"):
            st.session_state[ORDER] = (owner, portfolio_view.move_up(order, iid))
            st.rerun()
    return list(order)


def _levers(base: Portfolio):
    order = _order_arrows(base)
    places = [*base.ids, *(p.id for p in base.shared)]
    st.markdown("**Move people**")
    c1, c2, c3, c4 = st.columns(4)
    move = {
        "from": c1.selectbox("From", places, key="pf_from"),
        "to": c2.selectbox("To", places, index=min(1, len(places) - 1), key="pf_to"),
        "count": c3.number_input("People", 0, 50, 0, key="pf_count"),
        "at_day": c4.number_input("From working day", 0, 1000, 0, key="pf_at"),
    }
    c1, c2, c3 = st.columns(3)
    defer = {
        "initiative": c1.selectbox("Defer", base.ids, key="pf_defer_id"),
        "days": c2.number_input("by working days", 0, 500, 0, key="pf_defer_days"),
    }
    cancel = c3.selectbox("Cancel", [portfolio_view.NO_CANCEL, *base.ids], key="pf_cancel")
    c1, c2, c3 = st.columns(3)
    work = {
        "initiative": c1.selectbox("Add work to", base.ids, key="pf_work_id"),
        "effort": c2.number_input("person-days", 0.0, 500.0, 0.0, 1.0, key="pf_work_effort"),
        "at_day": c3.number_input("on its working day", 0, 1000, 0, key="pf_work_day"),
    }
    return portfolio_view.lever_changes(base, order, move, defer, cancel, work)


def main() -> None:
    st.title("Portfolio")
    st.markdown(prose.part("portfolio", "intro"))
    try:
        base = _pick()
    except ScenarioError as exc:
        st.error(str(exc))
        return
    if base is None:
        return
    runs = st.select_slider(
        "Runs",
        RUN_CHOICES,
        value=DEFAULT_RUNS,
        key="pf_runs",
        help=f"Simulated futures here: {DEFAULT_RUNS:,} at first, for a quick answer. The "
        f"portfolio file asks for {base.runs:,} (what the command line runs).",
    )
    key = results_key(base, runs)
    with st.spinner(f"Simulating {runs:,} futures of {len(base.ids)} initiatives..."):
        res = simulate.guarded(lambda: _results(key, base, runs, base.seed), "portfolio")
    if res is None:
        return
    s = res.summary()
    c1, c2, c3 = st.columns(3)
    c1.metric("All on time", fmt.pct(s["all_on_time_probability"]))
    c2.metric(
        "Portfolio NPV (mean)",
        fmt.money(s["npv_mean"]),
        help=prose.part("portfolio", "portfolio npv"),
    )
    c3.metric(
        "Shared people idle (cost)",
        fmt.money(s["shared_idle_cost_mean"]),
        help=prose.part("portfolio", "idle cost"),
    )
    st.subheader("Roadmap")
    st.caption(prose.part("portfolio", "roadmap"))
    st.altair_chart(
        portfolio_charts.roadmap_chart(portfolio_view.roadmap_table(res)), width="stretch"
    )
    st.dataframe(portfolio_view.forecast_rows(res), hide_index=True, width="stretch")
    st.subheader("Portfolio value over time")
    st.caption(prose.part("portfolio", "value"))
    st.altair_chart(
        portfolio_charts.stacked_value_chart(portfolio_view.weekly_value_table(res)),
        width="stretch",
    )
    st.subheader("What a change does to every initiative")
    st.caption(prose.part("portfolio", "levers"))
    changes = _levers(base)
    if not changes:
        st.caption(prose.part("portfolio", "no change"))
    if st.button("Compare", type="primary", disabled=not changes, key="pf_compare"):
        try:
            variant = apply_portfolio_changes(base, changes)
        except ScenarioError as exc:
            st.error(str(exc))
            return
        name = "; ".join(c.describe() for c in changes)
        with st.spinner("Simulating the variant on the same futures..."):
            cmp = simulate.guarded(
                lambda: turns.take(
                    "portfolio",
                    ("portfolio", key, name),
                    runs,
                    2 * len(base.ids),
                    lambda: compare_portfolios(
                        {"base": base, name: variant}, runs=runs, seed=base.seed
                    ),
                    pressed=True,
                ),
                "comparison",
            )
        if cmp is None:
            return
        st.session_state[RIPPLE] = (key, cmp, name)
    last = st.session_state.get(RIPPLE)
    cmp = None
    if last and last[0] == key:
        _key, cmp, name = last
        st.markdown(f"**{name}**")
        st.dataframe(portfolio_view.ripple_rows(cmp, name), hide_index=True)
    _report(key, res, cmp)


def _report(key: str, res, cmp) -> None:
    """The portfolio report (and the ripple shown, if any) as one HTML file."""
    from simulation.report.portfolio import portfolio_report_html

    notes = {name: [name] for name in (cmp.deltas if cmp else {})}
    report_button.download_report(
        (key, tuple(notes)),
        lambda: portfolio_report_html(res, cmp, notes),
        report_button.file_name(res.portfolio.name),
        "pf_report",
    )


main()
