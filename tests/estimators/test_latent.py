"""LatentEquivariantClassifier / Regressor end to end."""

import functools

import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV
from torch import nn

import skequi
from skequi import LatentEquivariantClassifier, LatentEquivariantRegressor
from skequi.datasets import double_digits_action, make_double_digits
from skequi.reporting import latent_representation_report
from skequi.transforms import apply_group

FAST = dict(max_epochs=2, batch_size=32, channels=(4, 8), random_state=0)


def test_fit_predict_and_report_of_the_fixed_representation(rotated):
    X, y = rotated
    clf = LatentEquivariantClassifier("C4", latent_dim=18, **{**FAST, "max_epochs": 8, "lr": 1e-2})
    clf.fit(X, y)
    assert clf.predict(X[:5]).shape == (5,) and clf.score(X, y) > 0.15
    report = latent_representation_report(clf)
    # 4 copies of the regular rep of C4 plus 2 trivial: each 1-dim irrep 4 times, +2 on chi0
    assert report.multiplicity.tolist() == [6.0, 4.0, 4.0, 4.0]
    assert report.fixed_multiplicity.tolist() == [6, 4, 4, 4]
    assert report.attrs["algebra_loss"] == 0.0
    assert np.isfinite(clf.equivariance_error(X[:20]))


def test_fits_and_predicts_on_device(device, rotated):
    X, y = rotated
    clf = LatentEquivariantClassifier("C4", latent_dim=18, device=device, **FAST).fit(X, y)
    assert next(clf.module_.parameters()).device.type == device
    assert clf.predict(X[:5]).shape == (5,)
    assert np.isfinite(clf.equivariance_error(X[:20]))


def test_relaxed_representation_is_learned_and_reported(rotated):
    X, y = rotated
    clf = LatentEquivariantClassifier("D4", relaxation_rank=2, **{**FAST, "lr": 1e-2}).fit(X, y)
    report = latent_representation_report(clf)
    assert report.algebra_loss.iloc[0] > 0  # the generators moved
    assert np.abs(report.multiplicity - report.fixed_multiplicity).max() < 2.0  # still near it


def test_grid_search_over_strength_and_rank(rotated):
    X, y = rotated
    search = GridSearchCV(LatentEquivariantClassifier("C4", **FAST),
                          {"equivariance_strength": [0.0, 1.0], "relaxation_rank": [0, 1]},
                          cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 4


class _TinyEncoder(nn.Module):
    def __init__(self, latent_dim=16, width=4):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, width), nn.ReLU(),
                                 nn.Linear(width, latent_dim))

    def forward(self, x):
        return self.net(x)


def test_user_supplied_encoder_with_kwargs(rotated):
    X, y = rotated
    clf = LatentEquivariantClassifier("C4", latent_dim=16, encoder=_TinyEncoder,
                                      encoder__width=7, **FAST).fit(X, y)
    assert clf.module_.encoder.net[1].out_features == 7
    bad = LatentEquivariantClassifier("C4", latent_dim=12, encoder=_TinyEncoder, **FAST)
    with pytest.raises(ValueError, match="latent_dim=12"):
        bad.fit(X, y)


def test_default_head_takes_hidden(rotated):
    X, y = rotated
    clf = LatentEquivariantClassifier("C4", latent_dim=16, head__hidden=12, **FAST).fit(X, y)
    assert clf.module_.head.net[1].out_features == 12


def test_double_digits_with_a_product_group_action():
    X, y = make_double_digits("D1", 120, random_state=0)
    action = functools.partial(double_digits_action, group="D1xD1")
    clf = LatentEquivariantClassifier("D1xD1", input_action=action, **FAST).fit(X, y)
    assert clf.predict(X[:4]).shape == (4,)
    # the action on a pair is each factor on its own half
    moved = action(X[:2], 3)  # (f, f): both digits mirrored
    assert np.array_equal(moved[..., :8], X[:2, ..., :8][..., ::-1])


def test_volumes_with_the_cube_group():
    rng = np.random.default_rng(0)
    X = rng.random((48, 1, 4, 4, 4)).astype(np.float32)
    y = (X[:, 0, :2].mean(axis=(1, 2, 3)) > X[:, 0, 2:].mean(axis=(1, 2, 3))).astype(int)
    clf = LatentEquivariantClassifier("O", **FAST).fit(X, y)
    assert clf.module_.action.latent_dim == 48  # 2 copies of the 24-element regular rep
    assert clf.predict(X[:3]).shape == (3,)


def test_regressor_with_field_targets_and_save_load(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 1, 8, 8)).astype(np.float32)
    y = apply_group(X, 1, "C4") * 0 + X ** 2  # a C4-equivariant field target
    reg = LatentEquivariantRegressor("C4", **FAST).fit(X, y)
    assert reg.predict(X[:3]).shape == (3, 1, 8, 8)
    reg.save(tmp_path / "latent.skequi")
    loaded = skequi.load(tmp_path / "latent.skequi", device="cpu")
    assert np.allclose(loaded.predict(X[:3]), reg.predict(X[:3]), atol=1e-6)


@pytest.mark.parametrize(
    "kwargs,match",
    [(dict(group="SO(3)"), "needs a finite group"),
     (dict(group="S3"), "cannot act on a square pixel grid"),
     (dict(latent_dim=2), "latent_dim must be >= \\|C4\\| = 4")],
)
def test_errors_before_training(rotated, kwargs, match):
    X, y = rotated
    clf = LatentEquivariantClassifier(**{**FAST, **kwargs})
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    assert not hasattr(clf, "module_")


class _GridEncoder(nn.Module):
    """Structured latents: a per-pixel linear map commutes with rotating the grid."""

    def __init__(self, latent_dim=4):
        super().__init__()
        self.conv = nn.Conv2d(1, latent_dim, 1)

    def forward(self, x):
        return self.conv(x)


class _GridHead(nn.Module):
    def __init__(self, latent_dim=4, n_classes=10):
        super().__init__()
        self.linear = nn.Linear(latent_dim, n_classes)

    def forward(self, z):
        return self.linear(z.mean(dim=(2, 3)))


def test_structured_latents_with_grid_action(rotated):
    X, y = rotated
    clf = LatentEquivariantClassifier("C4", latent_dim=4, latent_structure="grid",
                                      encoder=_GridEncoder, head=_GridHead, **FAST).fit(X, y)
    # a 1x1 conv is exactly equivariant for the grid action: the latent error is 0,
    # and the head's mean over the grid makes the predictions invariant
    assert clf.latent_equivariance_error(X[:10]) < 1e-5
    assert clf.equivariance_error(X[:10]) < 1e-5
    with pytest.raises(ValueError, match="default head only for field targets"):
        LatentEquivariantClassifier("C4", latent_structure="grid", **FAST).fit(X, y)


def test_tetracubes_with_the_cube_group():
    from skequi.datasets import make_tetracubes

    X, y = make_tetracubes(64, random_state=0)
    clf = LatentEquivariantClassifier("O", **FAST).fit(X, y)
    assert set(clf.predict(X[:8])) <= set(y)


@pytest.mark.parametrize("group", ["D1d", "D2d", "D1h"])
def test_every_subgroup_of_d4_drives_the_latent_method(rotated, group):
    X, y = rotated
    clf = LatentEquivariantClassifier(group, **FAST).fit(X, y)
    from skequi.groups import get_group

    errors = clf.equivariance_error(X[:10], per_element=True)
    assert errors.index.tolist() == list(get_group(group).elements[1:])
    assert np.isfinite(clf.latent_equivariance_error(X[:10]))
