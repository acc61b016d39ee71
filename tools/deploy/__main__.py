"""python -m tools.deploy COMMAND: see tools/deploy/cli.py."""
import sys

from .cli import main

sys.exit(main())
