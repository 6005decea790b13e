"""The input layer: what a scenario is and how it is read.

The schema (pydantic models with field-path messages), distributions, the
calendar, YAML reading with its hostile-input guards, the library and the
typed what-if changes. Nothing here imports the engine or anything above it
(``docs/reference/scenario-file.md``).
"""
