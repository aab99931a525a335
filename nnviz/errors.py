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


def did_you_mean(name, choices) -> str:
    """'; did you mean X?' / '; did you mean X or Y?' for the closest of `choices`, or '' (appended
    after the list of valid names, so messages keep their 'unknown … ; valid: …' start)."""
    import difflib

    choices = [str(c) for c in choices]
    close = difflib.get_close_matches(str(name), choices, n=2, cutoff=0.65)
    if not close:
        low = {c.lower(): c for c in choices}
        close = [low[m] for m in difflib.get_close_matches(str(name).lower(), list(low), n=2, cutoff=0.65)]
    return f"; did you mean {' or '.join(close)}?" if close else ""


def lookup(registry: dict, name: str, kind: str):
    """registry[name], or an error that suggests the closest names and lists the valid ones."""
    try:
        return registry[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(registry))
        raise UnknownNameError(f"unknown {kind} {name!r}; valid: {valid}{did_you_mean(name, registry)}") from None


        raise UnknownNameError(f"unknown {kind} {name!r}; valid: {valid}") from None


def describe_os_error(e: OSError) -> str:
    """A disk fault (full, read-only, permissions, …) as a few words and the file concerned."""
    import errno

    where = f" ({e.filename})" if getattr(e, "filename", None) else ""
    if e.errno == errno.ENOSPC:
        return f"no space left on device{where}"
    if e.errno == errno.EROFS:
        return f"read-only file system{where}"
    return f"{(e.strerror or str(e)).lower()}{where}"
