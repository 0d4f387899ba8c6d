"""load_data_file: .npz arrays, image folders, CSV tables, and clear errors."""

import numpy as np
import pandas as pd
import pytest

from skequi.datasets import load_data_file


def test_npz_with_and_without_a_test_set(tmp_path):
    np.savez(tmp_path / "a.npz", X=np.ones((6, 1, 4, 4)), y=np.arange(6))
    data = load_data_file(tmp_path / "a.npz")
    assert data.X.shape == (6, 1, 4, 4) and data.X_test is None and data.kind == "images"
    np.savez(tmp_path / "b.npz", X=np.ones((6, 5)), y=np.arange(6), X_test=np.ones((2, 5)),
             y_test=np.arange(2))
    data = load_data_file(tmp_path / "b.npz")
    assert data.kind == "vectors" and data.X_test.shape == (2, 5)
    np.savez(tmp_path / "c.npz", X=np.ones((6, 5)), y=np.arange(6), X_test=np.ones((2, 5)))
    with pytest.raises(ValueError, match="only one of X_test and y_test"):
        load_data_file(tmp_path / "c.npz")


def test_npz_never_unpickles(tmp_path):
    np.savez(tmp_path / "o.npz", X=np.array([{"a": 1}], dtype=object), y=np.arange(1))
    with pytest.raises(ValueError, match="numeric arrays"):
        load_data_file(tmp_path / "o.npz")


def test_image_folders_greyscale_colour_and_sizes(tmp_path):
    from PIL import Image

    rng = np.random.default_rng(0)
    for label in ("cat", "dog"):
        (tmp_path / "grey" / label).mkdir(parents=True)
        (tmp_path / "mixed" / label).mkdir(parents=True)
        for i in range(3):
            pixels = rng.integers(0, 255, size=(8, 8), dtype=np.uint8)
            Image.fromarray(pixels).save(tmp_path / "grey" / label / f"{i}.png")
            Image.fromarray(pixels).save(tmp_path / "mixed" / label / f"{i}.png")
    Image.fromarray(np.zeros((8, 8, 3), np.uint8)).save(tmp_path / "mixed" / "dog" / "rgb.png")
    grey = load_data_file(tmp_path / "grey")
    assert grey.X.shape == (6, 1, 8, 8) and 0 <= grey.X.min() and grey.X.max() <= 1
    assert sorted(set(grey.y)) == ["cat", "dog"]
    mixed = load_data_file(tmp_path / "mixed")
    assert mixed.X.shape == (7, 3, 8, 8)  # one colour image makes every image RGB
    Image.fromarray(np.zeros((5, 7), np.uint8)).save(tmp_path / "grey" / "cat" / "odd.png")
    with pytest.raises(ValueError, match="different sizes.*image_size"):
        load_data_file(tmp_path / "grey")
    assert load_data_file(tmp_path / "grey", image_size=(6, 6)).X.shape == (7, 1, 6, 6)


def test_a_folder_needs_class_subfolders(tmp_path):
    (tmp_path / "only").mkdir()
    with pytest.raises(ValueError, match="one subfolder per class"):
        load_data_file(tmp_path)


def test_csv_targets_and_features(tmp_path):
    table = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.5, 0.1, 0.2], "t": [0, 1, 0]})
    table.to_csv(tmp_path / "t.csv", index=False)
    data = load_data_file(tmp_path / "t.csv", target="t")
    assert data.X.shape == (3, 2) and data.y.tolist() == [0, 1, 0]
    assert data.feature_names == ["a", "b"] and data.kind == "vectors"
    with pytest.raises(ValueError, match="no column 'u'"):
        load_data_file(tmp_path / "t.csv", target=["u"])
    table.assign(a=["x", "y", "z"]).to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(ValueError, match="feature column 'a' holds values that are not numbers"):
        load_data_file(tmp_path / "s.csv", target="t")
