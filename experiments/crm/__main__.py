"""``python -m experiments.crm``: the import-crm and calibrate commands."""

import sys

from .cli import main

sys.exit(main())
