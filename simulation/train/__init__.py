"""Train: exercises with true answers computed by the engine, for predict, reveal
and debrief in a class (``docs/reference/train.md``)."""
