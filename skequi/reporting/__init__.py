"""Search results as tidy pandas tables, the score-against-relaxation plot, latent reports."""

from ._latent_report import latent_representation_report
from ._plots import plot_relaxation
from ._results import results_frame

__all__ = ["latent_representation_report", "plot_relaxation", "results_frame"]
