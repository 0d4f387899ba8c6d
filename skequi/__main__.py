"""``python -m skequi``: the ``skequi`` command."""

from .cli import main

raise SystemExit(main())
