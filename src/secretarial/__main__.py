"""``python -m secretarial``: the command line (see :mod:`secretarial.cli`)."""

from secretarial.cli import main

if __name__ == "__main__":
    main()
