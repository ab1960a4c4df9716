#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The command line is where development happens: with DEBUG unset it means
    # DEBUG=1, so a fresh checkout's commands work without a SECRET_KEY. The
    # web server (config/wsgi.py) has no such default: production serves with
    # DEBUG off and refuses to start without SECRET_KEY.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
