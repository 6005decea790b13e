"""Decide: a prioritisation session's candidates ranked, combined and the best set
chosen, paired against the base (``docs/reference/decide.md``)."""
