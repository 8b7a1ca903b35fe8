"""`python -m pipeline`: the command line."""

import sys

from pipeline.cli import main

# Guarded: worker processes import the main module again, and must not run it.
if __name__ == "__main__":
    sys.exit(main())
