"""Parameter-free approximate equivariance on double digits.

Two digits, each rotated by its own random quarter turn, side by side (label
10 a + b); the group C4 x C4 acts. Compares augmented training
(equivariance_strength=0) with the latent equivariance loss, and prints the
irrep content of the latent representation.

Run: python examples/latent_double_digits.py   (about 40 s on 2 CPU cores)
"""

import functools
import os

from skequi import LatentEquivariantClassifier
from skequi.datasets import double_digits_action, make_double_digits
from skequi.reporting import latent_representation_report

QUICK = os.environ.get("SKEQUI_EXAMPLE_QUICK") == "1"  # tiny settings for the test suite
N_TRAIN, EPOCHS = (200, 1) if QUICK else (4000, 12)

X, y = make_double_digits("C4", N_TRAIN, random_state=0)
X_test, y_test = make_double_digits("C4", 1000, random_state=1)
action = functools.partial(double_digits_action, group="C4xC4")

for strength in (0.0, 1.0):
    clf = LatentEquivariantClassifier("C4xC4", equivariance_strength=strength,
                                      input_action=action, max_epochs=EPOCHS, lr=3e-3,
                                      random_state=0).fit(X, y)
    print(f"equivariance_strength={strength}: test accuracy {clf.score(X_test, y_test):.3f}, "
          f"latent equivariance error {clf.latent_equivariance_error(X_test[:200]):.3f}")

print(latent_representation_report(clf).head(6))
