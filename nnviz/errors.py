"""The few exception types nnviz raises; each message says what to do instead."""


class NNVizError(Exception):
    """Base class: catch this to handle any nnviz input error."""


class UnknownNameError(NNVizError, KeyError):
    """A name (activation, loss, optimizer, experiment, …) that is not registered."""

    def __str__(self) -> str:  # KeyError quotes its message; we want it plain
        return str(self.args[0]) if self.args else ""


class ShapeError(NNVizError, ValueError):
    """An array has the wrong shape for what it is used as."""


class DataError(NNVizError, ValueError):
    """Data that cannot be trained on: NaN/inf values, empty sets, bad batch sizes."""


class RecordError(NNVizError, OSError):
    """A record on disk is missing, truncated, corrupted or from a newer schema."""


def lookup(registry: dict, name: str, kind: str):
    """registry[name], or an error that lists the valid names."""
    try:
        return registry[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(registry))
        raise UnknownNameError(f"unknown {kind} {name!r}; valid: {valid}") from None
