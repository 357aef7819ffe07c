"""The one exception a reader raises for a file that cannot be used."""


class NoteError(Exception):
    """A note file cannot be used; the message is the reason, written for the admin."""
