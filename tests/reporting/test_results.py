"""results_frame and plot_relaxation."""

import pytest

from skequi.reporting import plot_relaxation, results_frame

CV = {
    "param_gmcnn__group": ["C1", "C1", "C4", "C4"],
    "param_gmcnn__relaxation_rank": [0, 1, 0, 1],
    "param_gmcnn__channels": [(4, 4), (4, 4), (2, 2), (2, 2)],
    "mean_test_acc": [0.4, 0.42, 0.9, 0.8],
    "std_test_acc": [0.01, 0.02, 0.01, 0.03],
    "rank_test_acc": [4, 3, 1, 2],
    "mean_test_n_params": [100, 120, 60, 70],
    "std_test_n_params": [0, 0, 0, 0],
    "rank_test_n_params": [1, 2, 3, 4],
    "mean_fit_time": [1.0, 1.1, 1.2, 1.3],
    "params": [{}, {}, {}, {}],
}


def test_results_frame_is_tidy():
    frame = results_frame(CV)
    assert frame.group.tolist() == ["C4", "C4", "C1", "C1"]
    assert frame.channels.iloc[0] == "(2, 2)"
    assert frame.mean_test_score.tolist() == [0.9, 0.8, 0.42, 0.4]
    assert frame.n_params.tolist() == [60, 70, 120, 100]
    assert not any(c.startswith("param_") for c in frame.columns)


def test_plot_relaxation_has_one_line_per_group_with_params():
    import matplotlib

    matplotlib.use("Agg")
    figure = plot_relaxation(results_frame(CV))
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert labels == ["C1 (100-120 params)", "C4 (60-70 params)"]


def test_plot_relaxation_needs_columns():
    with pytest.raises(ValueError, match="relaxation_rank"):
        plot_relaxation(results_frame(CV).drop(columns="relaxation_rank"))


MULTI = {**CV, "mean_test_r2": [0.1, 0.2, 0.3, 0.4], "std_test_r2": [0.05, 0.05, 0.1, 0.1],
         "rank_test_r2": [4, 3, 2, 1]}


class _Search:
    """What results_frame reads of a fitted multi-metric search."""

    def __init__(self, refit):
        self.cv_results_, self.refit, self.scoring = MULTI, refit, {"acc": "accuracy", "r2": "r2"}


def test_multi_metric_frames_list_each_metric_once_with_its_spread():
    frame = results_frame(_Search("acc"))
    assert frame.attrs["refit_metric"] == "acc"
    assert "mean_test_acc" not in frame.columns  # it is mean_test_score
    assert frame.mean_test_score.tolist() == [0.9, 0.8, 0.42, 0.4]
    assert frame.std_test_score.tolist() == [0.01, 0.03, 0.02, 0.01]
    assert frame.mean_test_r2.tolist() == [0.3, 0.4, 0.2, 0.1]
    assert frame.std_test_r2.tolist() == [0.1, 0.1, 0.05, 0.05]
    assert len(set(frame.columns)) == len(frame.columns)


def test_plot_relaxation_with_only_the_rank_swept():
    import matplotlib

    matplotlib.use("Agg")
    cv = {"param_relaxation_rank": [0, 1, 2], "mean_test_score": [0.5, 0.6, 0.55],
          "std_test_score": [0.01, 0.02, 0.01], "rank_test_score": [3, 1, 2],
          "mean_fit_time": [1.0, 1.0, 1.0], "params": [{}, {}, {}]}
    figure = plot_relaxation(results_frame(cv))
    assert len(figure.axes[0].lines) >= 1
    assert [t.get_text() for t in figure.axes[0].get_legend().get_texts()] == ["model"]


def test_parameter_counts_of_matched_candidates_from_a_fitted_search():
    from sklearn.model_selection import GridSearchCV

    from skequi import GMCNNClassifier
    from skequi.datasets import load_digit_images

    X, y = load_digit_images()
    search = GridSearchCV(GMCNNClassifier(channels="matched", max_epochs=1, random_state=0),
                          {"group": ["C1", "C4", "D4"]}, cv=2).fit(X[:100], y[:100])
    frame = results_frame(search).set_index("group")
    fitted = {g: GMCNNClassifier(g, channels="matched", max_epochs=1).fit(X[:100], y[:100])
              for g in ("C1", "C4", "D4")}
    for group, model in fitted.items():
        assert frame.n_params[group] == model.n_params_
    assert frame.n_params.max() <= 1.1 * frame.n_params["C1"]
    assert frame.n_params.min() >= 0.9 * frame.n_params["C1"]
