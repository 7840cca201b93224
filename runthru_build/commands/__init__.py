"""The work behind each CLI command, as plain functions the CLI calls."""
