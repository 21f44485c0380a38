"""What the ``policygov`` command does (``services/cli.py`` reads the command line)."""
