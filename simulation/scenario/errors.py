"""The one exception every input problem becomes, and the one for a run that cannot finish."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario file or value is invalid.

    The message names the file (when there is one) and the field path, e.g.
    ``plan.yaml: items[2].effort.high: must be >= mode``. ``problems`` holds
    every ``(path, message)`` pair found, so a form can show each next to its
    field.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        problems: list[tuple[str, str]] | None = None,
    ):
        self.source = source
        self.problems = list(problems or [])
        text = f"{source}: {message}" if source else message
        super().__init__(text)

    def with_source(self, source: str) -> ScenarioError:
        """Return the same error, prefixed with the file it came from."""
        if self.source:
            return self
        body = str(self)
        return ScenarioError(body, source=source, problems=self.problems)


class SimulationError(RuntimeError):
    """The simulation could not finish (e.g. a worker process died)."""
