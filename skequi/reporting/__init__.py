"""Search results as tidy pandas tables, the score-against-relaxation plot, the symmetry
report (how much symmetry, and which), latent reports."""

from ._latent_report import latent_representation_report
from ._plots import plot_relaxation
from ._results import results_frame
from ._symmetry import element_table, recommended_subgroup, symmetry_answer, symmetry_scoring

__all__ = [
    "element_table",
    "latent_representation_report",
    "plot_relaxation",
    "recommended_subgroup",
    "results_frame",
    "symmetry_answer",
    "symmetry_scoring",
]
