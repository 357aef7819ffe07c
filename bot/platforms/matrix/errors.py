"""Why the Matrix platform stopped trying, or why it will try again.

The connection loop retries anything that may pass (the homeserver is down, slow or rate
limiting) and stops only on what no retry can fix: missing or refused credentials. Any other
exception, a library's ``RuntimeError`` included, counts as passing.
"""

from __future__ import annotations

# Login refusals a retry cannot fix: wrong password, unknown or deactivated account.
FATAL_LOGIN_CODES = frozenset({"M_FORBIDDEN", "M_USER_DEACTIVATED", "M_INVALID_USERNAME",
                               "M_UNKNOWN_TOKEN", "M_INVALID_PARAM", "M_BAD_JSON"})


class MatrixFatal(Exception):
    """The bot cannot go on until its operator changes the configuration."""


class MatrixRetryable(Exception):
    """A failure that may pass: retried with back-off."""
