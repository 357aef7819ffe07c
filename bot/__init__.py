"""summit-bot: answers questions about conference session notes, quoting the notes."""

__version__ = "0.1.0"
