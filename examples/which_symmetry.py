"""Which symmetries do my data have? Fields that only a transpose leaves unchanged.

The data: an operator whose law is symmetric under the diagonal mirror f r^3 and no
other element of D4 (skequi.datasets.make_mirror_fields). The script sweeps the plain
CNN, the diagonal mirror D1d and D4 at matched parameters, prints the one-sentence
answer, then the plain CNN's held-out score on pairs moved by each element of D4:
the score holds for e and f r^3 only, and the recommended subgroup is D1d.
The command line does the same and writes a report:
    skequi sweep --data fields.npz --groups C1,D1d,D4 --ranks 0
"""

import os

import numpy as np
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV

import skequi
from skequi import GMCNNRegressor
from skequi.datasets import make_mirror_fields
from skequi.reporting import element_table, recommended_subgroup, results_frame
from skequi.reporting import symmetry_answer, symmetry_scoring

QUICK = bool(os.environ.get("SKEQUI_EXAMPLE_QUICK"))
n_train, epochs = (60, 2) if QUICK else (150, 40)

X, y = make_mirror_fields(n_train + 100, size=12, random_state=0)
X_train, y_train = X[:n_train], y[:n_train].reshape(n_train, -1)
X_test, y_test = X[n_train:], y[n_train:].reshape(100, -1)
groups = ["C1", "D1d", "D4"]
model = GMCNNRegressor(target_type="field", channels="matched", max_epochs=epochs,
                       random_state=0)
search = GridSearchCV(model, {"group": groups}, scoring=symmetry_scoring(groups),
                      refit="score", cv=3)
with skequi.progress():
    search.fit(X_train, y_train)
print(results_frame(search)[["group", "n_params", "mean_test_score", "std_test_score",
                             "mean_test_error_vs_D1d"]].to_string(index=False))
print(symmetry_answer(search)[0])

plain = model.set_params(group="C1").fit(X_train, y_train)
table = element_table(plain, X_test, y_test, "D4",
                      metric=lambda a, b: r2_score(a, b, multioutput="variance_weighted"))
print(table.round(2).to_string())
print(f"recommended subgroup: {recommended_subgroup(table)}")
assert np.isfinite(table.score).all()
