"""Operating the bot: the health and metrics listener, systemd notifications."""
