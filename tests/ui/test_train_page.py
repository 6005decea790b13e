"""The Train page through Streamlit's AppTest: the single-trainee flow and class mode.

Expected figures come from an independent ``compare`` of the exercise's base
and variant files under the base's runs and seed, never typed in.
"""

from __future__ import annotations

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from dashboard import fmt
from simulation import compare, load_scenario
from simulation.store import DATA_DIR_ENV, URL_ENV
from simulation.train import exercises as E
from tests.helpers import LIBRARY, ROOT, seen

APP = str(ROOT / "app.py")
TRAIN = "dashboard/pages/train.py"
TIMEOUT_S = 90
FILE = LIBRARY / "exercises" / "brooks-law.yaml"


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch):
    """Every test keeps its classes in its own database."""
    monkeypatch.delenv(URL_ENV, raising=False)
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))


@pytest.fixture(scope="module")
def truth():
    """Base and variant summaries of the exercise, from compare directly."""
    data = yaml.safe_load(FILE.read_text())
    base = load_scenario(FILE.parent / data["base"])
    variant = load_scenario(FILE.parent / data["variant"])
    cmp = compare({"b": base, "v": variant})
    return cmp.results["b"].summary(), cmp.results["v"].summary()


def open_train(mode: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT_S).run()
    at.switch_page(TRAIN).run()
    clean(at, "Train page")
    if mode:
        at.radio(key="tr_mode").set_value(mode).run()
        clean(at, mode)
    return at


def clean(at: AppTest, where: str) -> None:
    assert not at.exception, f"{where}: " + " | ".join(e.value for e in at.exception)


def texts(at: AppTest) -> str:
    return "\n".join(
        [m.value for m in at.markdown]
        + [c.value for c in at.caption]
        + [seen(e) for e in at.error]
        + [s.value for s in at.success]
        + [i.value for i in at.info]
    )


def submit(at: AppTest, label: str) -> None:
    next(b for b in at.button if b.label == label).click().run()


def predict(at: AppTest, prefix: str, date: str, cost: str, on_time: tuple) -> None:
    at.radio(key=f"{prefix}_date").set_value(date)
    at.radio(key=f"{prefix}_cost").set_value(cost)
    for name, x in zip(("value", "low", "high"), on_time, strict=True):
        at.number_input(key=f"{prefix}_on-time_{name}").set_value(x)


def test_single_trainee_predicts_reveals_and_is_scored(truth):
    base, variant = truth
    at = open_train()
    at.selectbox(key="tr_pick").set_value("brooks-law.yaml").run()
    clean(at, "pick")
    shown = {m.label: m.value for m in at.metric}
    assert shown["On time (base)"] == fmt.pct(base["delivery"]["on_time_probability"])
    assert shown["P50 delivery (base)"] == fmt.date(base["delivery"]["p50_date"])
    before = texts(at)
    assert "The lesson" not in before and "Brooks" not in before, "the answer leaks"
    assert f"{variant['delivery']['on_time_probability']:.0%}" not in before

    # A range that does not hold the best guess: a message, nothing revealed.
    prefix = "tr_solo_brooks-law"
    predict(at, prefix, "earlier", "higher", (50, 60, 40))
    submit(at, "Reveal")
    clean(at, "bad prediction")
    assert "must lie between the low and the high end" in texts(at)
    assert "Score:" not in texts(at)

    truth_on_time = variant["delivery"]["on_time_probability"]
    # A range around the truth, and the calls the independent compare says are right.
    want_date = E.direction_of(
        "delivery.p50_day", base["delivery"]["p50_day"], variant["delivery"]["p50_day"]
    )
    wrong_date = "earlier" if want_date != "earlier" else "later"
    lo, hi = max(truth_on_time * 100 - 5, 0), min(truth_on_time * 100 + 5, 100)
    predict(at, prefix, wrong_date, "higher", (truth_on_time * 100, lo, hi))
    submit(at, "Reveal")
    clean(at, "reveal")
    want_cost = E.direction_of("cost.mean", base["cost"]["mean"], variant["cost"]["mean"])
    points = int(want_cost == "higher") + 1
    after = texts(at)
    assert f"Score: {points} of 3" in after
    assert f"{truth_on_time:.0%}" in after, "the debrief quotes the variant's on-time chance"
    assert len(at.dataframe) >= 2, "answers table and progress table"
    progress = at.dataframe[-1].value
    assert list(progress["Points"]) == [points]


def test_class_two_trainees_answer_and_the_trainer_reveals(truth):
    base, variant = truth
    trainer = open_train("Run a class (trainer)")
    trainer.selectbox(key="tr_open_pick").set_value("brooks-law.yaml")
    submit(trainer, "Open class")
    clean(trainer, "open")
    opened = trainer.session_state["tr_opened"]
    assert f"Class code: `{opened.code}`" in texts(trainer)
    assert opened.key in texts(trainer), "the key is shown once, to the trainer"

    trainees = []
    for name, call in (("Ana", "later"), ("Ben", "earlier")):
        t = open_train("Join a class")
        t.text_input(key="tr_join_code").set_value(opened.code.lower())
        t.text_input(key="tr_join_name").set_value(name)
        submit(t, "Join")
        clean(t, f"{name} joins")
        assert f"as **{name}**" in texts(t)
        predict(t, f"tr_class_{opened.code}", call, "higher", (40, 20, 60))
        submit(t, "Submit predictions")
        clean(t, f"{name} submits")
        assert "Your predictions are in" in texts(t)
        assert "Ben" not in texts(t) or name == "Ben", "trainees never see each other"
        trainees.append(t)

    dup = open_train("Join a class")
    dup.text_input(key="tr_join_code").set_value(opened.code)
    dup.text_input(key="tr_join_name").set_value("ana")
    submit(dup, "Join")
    assert "The name 'ana' is already taken" in texts(dup)

    submit(trainer, "Refresh")
    assert "2 joined, 2 answered" in texts(trainer)
    submit(trainer, "Reveal to the class")
    clean(trainer, "reveal")
    want = E.direction_of(
        "delivery.p50_day", base["delivery"]["p50_day"], variant["delivery"]["p50_day"]
    )
    right = [c for c in ("later", "earlier") if c == want]
    assert f"{len(right)} of 2 called it." in texts(trainer)
    inside = int(20 <= variant["delivery"]["on_time_probability"] * 100 <= 60)
    assert f"The truth was inside {inside * 2} of 2 ranges." in texts(trainer)

    ana = trainees[0]
    submit(ana, "Check for the reveal")
    clean(ana, "Ana after the reveal")
    assert "Score:" in texts(ana)


def test_wrong_key_or_code_never_opens_the_trainer_view():
    trainer = open_train("Run a class (trainer)")
    submit(trainer, "Open class")
    code = trainer.session_state["tr_opened"].code
    intruder = open_train("Run a class (trainer)")
    intruder.text_input(key="tr_t_code").set_value(code)
    intruder.text_input(key="tr_t_key").set_value("not-the-key")
    submit(intruder, "Open the trainer view")
    clean(intruder, "wrong key")
    assert f"That trainer key does not open class {code}" in texts(intruder)
    assert "Class code:" not in texts(intruder) and "tr_trainer" not in intruder.session_state
    intruder.text_input(key="tr_t_code").set_value("ZZZZZZ")
    submit(intruder, "Open the trainer view")
    assert "No class has the code ZZZZZZ" in texts(intruder)
    stranger = open_train("Join a class")
    stranger.text_input(key="tr_join_code").set_value("QQQQQQ")
    stranger.text_input(key="tr_join_name").set_value("Cy")
    submit(stranger, "Join")
    assert "No class has the code QQQQQQ" in texts(stranger)


def test_train_charts_are_valid_vega_lite():
    import pandas as pd

    from dashboard import train_charts as tc

    guesses = pd.DataFrame(
        {"who": ["You", "Classmate 1"], "value": [0.3, 0.5], "low": [0.2, 0.4], "high": [0.4, 0.9]}
    )
    tc.estimate_chart(guesses, 0.27, 0.51, "probability", "On-time chance").to_dict()
    tc.estimate_chart(guesses.iloc[:0], 100.0, None, "money", "NPV").to_dict()
    tc.direction_chart(
        pd.DataFrame({"choice": ["earlier", "same", "later"], "count": [1, 0, 2]}),
        "later",
        "Trainees",
    ).to_dict()
    tc.shift_chart(55.0, 57.0, "day", "later", "later", "P50").to_dict()
    tc.shift_chart(0.5, 0.5, "probability", "higher", "same", "Outcome").to_dict()


def _open_class(exercise: str = "brooks-law.yaml") -> tuple[AppTest, object]:
    trainer = open_train("Run a class (trainer)")
    trainer.selectbox(key="tr_open_pick").set_value(exercise)
    submit(trainer, "Open class")
    clean(trainer, "open")
    return trainer, trainer.session_state["tr_opened"]


def test_the_trainer_key_is_shown_once_then_on_request():
    """Right after opening, the key is on screen; at the next click it is gone (the
    class may be looking), and "Show the trainer key" brings it back for one view.
    Catches a key that stays on the projected screen."""
    trainer, opened = _open_class()
    assert opened.key in texts(trainer) + " ".join(i.value for i in trainer.info)
    submit(trainer, "Refresh")
    clean(trainer, "refresh")
    assert opened.key not in texts(trainer) + " ".join(i.value for i in trainer.info)
    submit(trainer, "Show the trainer key")
    clean(trainer, "show the key")
    assert opened.key in " ".join(i.value for i in trainer.info)


def test_a_reload_rejoins_and_on_my_own_waits_for_the_reveal():
    """A trainee's address carries the class and their rejoin token (never the trainer
    key); a fresh session opened with that address is back in the class as themselves
    with their predictions. "On my own" refuses the class's exercise until the trainer
    reveals, then allows it. Catches a reload that loses the trainee, a token that is
    the trainer key, and the spoiler route."""
    trainer, opened = _open_class()
    ana = open_train("Join a class")
    ana.text_input(key="tr_join_code").set_value(opened.code)
    ana.text_input(key="tr_join_name").set_value("Ana")
    submit(ana, "Join")
    predict(ana, f"tr_class_{opened.code}", "later", "higher", (40, 20, 60))
    submit(ana, "Submit predictions")
    clean(ana, "Ana submits")
    params = dict(ana.query_params)
    assert params["class"] == [opened.code] or params["class"] == opened.code
    token = params["as"][0] if isinstance(params["as"], list) else params["as"]
    assert token and token != opened.key

    ana.radio(key="tr_mode").set_value("On my own").run()
    ana.selectbox(key="tr_pick").set_value("brooks-law.yaml").run()
    clean(ana, "on my own, before the reveal")
    assert f"Your class **{opened.code}** is playing this exercise" in texts(ana) + " ".join(
        w.value for w in ana.warning
    )
    assert not any(b.label == "Reveal" for b in ana.button), "no way to the answers"

    again = AppTest.from_file(APP, default_timeout=TIMEOUT_S)
    again.query_params["class"] = opened.code
    again.query_params["as"] = token
    again.run()
    again.switch_page(TRAIN).run()
    clean(again, "after the reload")
    assert "as **Ana**" in texts(again), texts(again)[:500]
    assert "Your predictions are in" in texts(again) + " ".join(s.value for s in again.success)

    submit(trainer, "Reveal to the class")
    clean(trainer, "reveal")
    ana.run()
    clean(ana, "on my own, after the reveal")
    assert "is playing this exercise" not in " ".join(w.value for w in ana.warning)


def test_a_refused_value_is_said_as_input_not_as_a_store_that_is_down():
    """A value the store refuses names its field and is not called an outage.

    Would catch: StoreValueError falling into the "class store is not available"
    branch (it is a StoreError too), which tells a trainee the server is broken
    when their own text is the problem.
    """

    def script():
        from dashboard.pages.train import _store_call
        from simulation.store import StoreError, StoreValueError

        def refused():
            raise StoreValueError("answers.q1: a zero byte cannot be stored")

        def down():
            raise StoreError("database is locked")

        _store_call(refused, "saving")
        _store_call(down, "answers")

    at = AppTest.from_function(script, default_timeout=TIMEOUT_S).run()
    errors = [seen(e) for e in at.error]
    assert len(errors) == 2, errors
    assert "answers.q1" in errors[0] and "not available" not in errors[0]
    assert errors[0].startswith("Not saved (saving)")
    assert "not available (answers)" in errors[1]
