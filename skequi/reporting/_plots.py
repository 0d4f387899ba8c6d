"""Score against relaxation rank, one line per group."""

from __future__ import annotations

import pandas as pd

__all__ = ["plot_relaxation"]


def plot_relaxation(frame: pd.DataFrame, *, score: str = "mean_test_score", ax=None):
    """Score against ``relaxation_rank``, one line per group, parameter counts in the legend.

    Parameters
    ----------
    frame : pandas.DataFrame
        From :func:`results_frame`; needs ``relaxation_rank`` (and draws one
        line per ``group`` when that was swept, else one line).
    score : str, default="mean_test_score"
        Column to plot; its ``std_`` twin gives error bars when present.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        The y axis is labelled with what the score measures
        (``frame.attrs["score_label"]`` from :func:`results_frame`).

    Examples
    --------
    >>> import pandas as pd
    >>> from skequi.reporting import plot_relaxation
    >>> frame = pd.DataFrame({"group": ["C1", "C4", "C4"], "relaxation_rank": [0, 0, 1],
    ...                       "mean_test_score": [0.4, 0.9, 0.88], "n_params": [900, 800, 950]})
    >>> frame.attrs["score_label"] = "accuracy on C4-transformed inputs"
    >>> plot_relaxation(frame).axes[0].get_ylabel()
    'accuracy on C4-transformed inputs'
    """
    import matplotlib.pyplot as plt

    for column in ("relaxation_rank", score):
        if column not in frame.columns:
            raise ValueError(
                f"plot_relaxation needs a {column!r} column; got {list(frame.columns)}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 3.5))
    else:
        fig = ax.figure
    std_column = score.replace("mean_", "std_")
    if "group" not in frame.columns:  # only relaxation_rank swept: one line
        frame = frame.assign(group=frame.attrs.get("group", "model"))
    for group, rows in frame.groupby("group", sort=True):
        rows = rows.sort_values("relaxation_rank")
        label = str(group)
        if "n_params" in rows:
            low, high = rows.n_params.min(), rows.n_params.max()
            label += f" ({low:,} params)" if low == high else f" ({low:,}-{high:,} params)"
        yerr = rows[std_column] if std_column in rows else None
        ax.errorbar(rows.relaxation_rank, rows[score], yerr=yerr, marker="o", capsize=3,
                    label=label)
    ax.set_xlabel("relaxation_rank")
    label = frame.attrs.get("score_label", score) if score == "mean_test_score" else score
    ax.set_ylabel(label)
    ax.set_xticks(sorted(frame.relaxation_rank.unique()))
    ax.legend(fontsize="small")
    fig.tight_layout()
    return fig
