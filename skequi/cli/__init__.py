"""The ``skequi`` command line: ``skequi demo``, ``skequi sweep``, ``skequi groups``."""

from ._main import main

__all__ = ["main"]
