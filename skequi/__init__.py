"""skequi: approximately equivariant neural networks behind the scikit-learn API."""

__version__ = "0.1.0"

__all__ = ["__version__"]
