"""The typed errors of xlmodel.

Every error is a :class:`ValueError` subclass whose message names the argument,
the rule and the value, e.g. ``churn must be between 0 and 1 (monthly
fraction), got 1.5``. Each edge translates them once: the CLI into a one-line
message and exit status 2, the Excel functions into a short text in the cell.
"""

from __future__ import annotations

__all__ = ["XlmodelError", "InputError", "UnknownModelError", "AssumptionsError"]


class XlmodelError(ValueError):
    """Base class of every error xlmodel raises on purpose."""


class InputError(XlmodelError):
    """An argument is outside its valid range or has the wrong type.

    ``argument`` holds the offending argument's name.
    """

    def __init__(self, argument: str, message: str):
        super().__init__(message)
        self.argument = argument


class UnknownModelError(XlmodelError, LookupError):
    """A model name that the bundled price data does not know."""

    def __init__(self, model: str, suggestions: list[str], provider: str | None = None):
        where = f" from provider {provider!r}" if provider else ""
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"model must be a known model name{where}, got {model!r}{hint}")
        self.argument = "model"
        self.model = model
        self.suggestions = suggestions


class AssumptionsError(XlmodelError):
    """An assumptions file that cannot be used: names the file, scenario and key."""

    def __init__(self, path: str, message: str, scenario: str | None = None, key: str | None = None):
        where = str(path)
        if scenario is not None:
            where += f": scenario {scenario!r}"
        if key is not None:
            where += f": {key}"
        super().__init__(f"{where}: {message}")
        self.message = message
        self.path = path
        self.scenario = scenario
        self.key = key
