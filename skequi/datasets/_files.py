"""A user's own data from files: ``.npz`` arrays, folders of images, CSV tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

__all__ = ["IMAGE_SUFFIXES", "load_data_file"]

#: File endings read as images in an image folder (anything Pillow opens).
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def load_data_file(path, *, target=None, image_size=None) -> Bunch:
    """Read a data set from a file or folder, in the layouts skequi's estimators take.

    * ``.npz``: arrays ``X`` and ``y``, optionally ``X_test`` and ``y_test``
      (read without pickle). Images as ``(n, C, H, W)``, ``(n, H, W)``;
      targets as labels ``(n,)``, numbers ``(n, k)`` or fields
      ``(n, C, H, W)``.
    * a folder with one subfolder per class, each holding images (PNG, JPEG,
      ...): ``X`` of shape ``(n, C, H, W)`` with values in [0, 1] (C = 1 when
      every image is greyscale, else 3), ``y`` the subfolder names.
    * ``.csv``: a table with a header; ``target`` names the target columns,
      every other column is a feature (vector data, e.g. for EMLP).

    Parameters
    ----------
    path : str or path-like
    target : str or sequence of str, optional
        The CSV's target columns (required for a CSV).
    image_size : (int, int), optional
        Resize every image of a folder to ``(H, W)``; without it all images
        must have one size.

    Returns
    -------
    sklearn.utils.Bunch
        ``X``, ``y``, ``X_test`` and ``y_test`` (None when absent), ``kind``
        (``"images"`` or ``"vectors"``), ``feature_names`` and
        ``target_names`` (CSV columns, else None), ``source`` (the path).

    Raises
    ------
    ValueError
        For a missing file, an unknown format, missing arrays or columns, or
        images of different sizes; the message says what was expected.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> from skequi.datasets import load_data_file
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "fields.npz"
    >>> np.savez(path, X=np.zeros((10, 1, 8, 8)), y=np.zeros((10, 2, 8, 8)))
    >>> data = load_data_file(path)
    >>> data.X.shape, data.y.shape, data.kind, data.X_test is None
    ((10, 1, 8, 8), (10, 2, 8, 8), 'images', True)
    """
    path = Path(path).expanduser()
    if not path.exists():
        raise ValueError(f"no file or folder at {str(path)!r}")
    if path.is_dir():
        return _image_folder(path, image_size)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return _npz(path)
    if suffix == ".csv":
        return _csv(path, target)
    raise ValueError(
        f"cannot read {str(path)!r}: skequi reads .npz files (arrays X, y, optionally X_test, "
        "y_test), .csv tables (with target columns named) and folders of images in one "
        "subfolder per class"
    )


def _bunch(X, y, X_test=None, y_test=None, *, kind, source, feature_names=None,
           target_names=None) -> Bunch:
    return Bunch(X=X, y=y, X_test=X_test, y_test=y_test, kind=kind, source=str(source),
                 feature_names=feature_names, target_names=target_names)


def _npz(path: Path) -> Bunch:
    try:
        with np.load(path, allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
    except (ValueError, OSError) as error:
        raise ValueError(f"cannot read {str(path)!r} as an .npz of numeric arrays: "
                         f"{str(error).splitlines()[0]}") from None
    missing = [key for key in ("X", "y") if key not in arrays]
    if missing:
        raise ValueError(f"{str(path)!r} has no array {missing[0]!r}; it holds "
                         f"{sorted(arrays)}, and skequi needs X and y (optionally X_test, "
                         "y_test)")
    if ("X_test" in arrays) != ("y_test" in arrays):
        raise ValueError(f"{str(path)!r} has only one of X_test and y_test")
    X = arrays["X"]
    kind = "vectors" if X.ndim == 2 and not _is_square(X.shape[1]) else "images"
    return _bunch(X, arrays["y"], arrays.get("X_test"), arrays.get("y_test"), kind=kind,
                  source=path)


def _is_square(n: int) -> bool:
    side = int(round(np.sqrt(n)))
    return side * side == n


def _csv(path: Path, target) -> Bunch:
    import pandas as pd

    if target is None:
        raise ValueError(f"{str(path)!r} is a table: name its target columns (--target "
                         "col1,col2 on the command line, target= in Python)")
    targets = [target] if isinstance(target, str) else list(target)
    table = pd.read_csv(path)
    unknown = [t for t in targets if t not in table.columns]
    if unknown:
        raise ValueError(f"{str(path)!r} has no column {unknown[0]!r}; its columns are "
                         f"{list(table.columns)}")
    features = [c for c in table.columns if c not in targets]
    numeric = table[features].apply(pd.to_numeric, errors="coerce")
    bad = [c for c in features if numeric[c].isna().any() and not table[c].isna().all()]
    if bad:
        raise ValueError(f"{str(path)!r}: feature column {bad[0]!r} holds values that are not "
                         "numbers; drop it or make it a target")
    y = table[targets].to_numpy()
    y = y[:, 0] if len(targets) == 1 else y
    return _bunch(numeric.to_numpy(dtype=float), y, kind="vectors", source=path,
                  feature_names=features, target_names=targets)


def _image_folder(path: Path, image_size) -> Bunch:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError("reading image folders needs Pillow: pip install \"skequi[images]\" "
                          "(or pip install pillow)") from None
    classes = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    files = [(c.name, f) for c in classes for f in sorted(c.iterdir())
             if f.suffix.lower() in IMAGE_SUFFIXES]
    if len(classes) < 2 or not files:
        raise ValueError(
            f"{str(path)!r} is a folder: skequi reads it as images in one subfolder per class "
            f"(at least two), and found {len(classes)} subfolder(s) with {len(files)} image(s)")
    images, sizes = [], {}
    for label, file in files:
        with Image.open(file) as opened:
            image = opened.convert("L") if opened.mode in ("1", "L", "I;16", "I", "F") \
                else opened.convert("RGB")
            if image_size is not None:
                image = image.resize((int(image_size[1]), int(image_size[0])))
            images.append(np.asarray(image, dtype=np.float32) / 255.0)
        sizes.setdefault(images[-1].shape[:2], file)
    if len(sizes) > 1:
        (first, a), (second, b) = list(sizes.items())[:2]
        raise ValueError(
            f"images in {str(path)!r} have different sizes: {a.name} is {first[0]}x{first[1]}, "
            f"{b.name} is {second[0]}x{second[1]}; pass image_size=(H, W) (--image-size H,W) "
            "to resize them")
    colour = any(image.ndim == 3 for image in images)
    stacked = np.stack([np.repeat(image[..., None], 3, -1) if colour and image.ndim == 2
                        else image for image in images])
    X = np.moveaxis(stacked, -1, 1) if colour else stacked[:, None]
    y = np.array([label for label, _ in files])
    return _bunch(np.ascontiguousarray(X), y, kind="images", source=path)
