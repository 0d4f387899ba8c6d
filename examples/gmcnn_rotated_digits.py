"""Does rotation symmetry help on rotated digits, and how much of it?

Trains GM-CNNs on upright 8x8 digits (shipped with scikit-learn), sweeps the
symmetry group and its relaxation rank with GridSearchCV, and reports
accuracy on digits rotated by random multiples of 90 degrees.

Run: python examples/gmcnn_rotated_digits.py   (about 30 s on 2 CPU cores)
"""

import os

from sklearn.model_selection import GridSearchCV, train_test_split

from skequi import GMCNNClassifier
from skequi.datasets import load_digit_images
from skequi.metrics import TransformedScorer, n_params
from skequi.reporting import results_frame

QUICK = os.environ.get("SKEQUI_EXAMPLE_QUICK") == "1"  # tiny settings for the test suite
EPOCHS = 2 if QUICK else 15

X, y = load_digit_images()
if QUICK:
    X, y = X[:200], y[:200]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, stratify=y,
                                                    random_state=0)
rotated = TransformedScorer("C4", random_state=1)  # random quarter turns of each image

search = GridSearchCV(
    GMCNNClassifier(max_epochs=EPOCHS, random_state=0),
    [
        {"group": ["C1"], "channels": [(32, 32, 32)], "relaxation_rank": [0, 1]},
        {"group": ["C4"], "channels": [(8, 8, 8)], "relaxation_rank": [0, 1]},
    ],
    scoring={"rotated_accuracy": rotated, "accuracy": "accuracy", "n_params": n_params},
    refit="rotated_accuracy",
    cv=2,
)
search.fit(X_train, y_train)

frame = results_frame(search)
print(frame[["group", "relaxation_rank", "n_params", "mean_test_score", "mean_test_accuracy"]])
best = search.best_estimator_
print(f"\nbest: {best.group}, relaxation_rank={best.relaxation_rank}: "
      f"rotated test accuracy {rotated(best, X_test, y_test):.3f}, "
      f"equivariance error {best.equivariance_error(X_test[:50]):.1e}")
