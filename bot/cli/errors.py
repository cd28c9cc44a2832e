"""The one error a `zhibu` command raises to stop with a one-line message (exit status 2)."""


class CommandError(Exception):
    """A command cannot do what was asked; the message says why in one line."""
