"""The public surface: namespaces hold only __all__, and every public object has a runnable
Example (doctested with the rest of the suite)."""

import importlib
import inspect
import pkgutil

import pytest

import skequi


def _public_modules():
    names = ["skequi"] + [
        m.name for m in pkgutil.walk_packages(skequi.__path__, "skequi.")
        if not any(part.startswith("_") for part in m.name.split(".")[1:])
    ]
    return [importlib.import_module(name) for name in names]


MODULES = _public_modules()


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_namespace_holds_only_what_all_lists(module):
    public = {name for name in dir(module) if not name.startswith("_")
              and not inspect.ismodule(getattr(module, name))}
    assert public == set(module.__all__) - {"__version__"} - {
        n for n in module.__all__ if inspect.ismodule(getattr(module, n, None))}


def _public_objects():
    seen = {}
    for module in MODULES:
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                seen.setdefault(f"{obj.__module__}.{obj.__qualname__}", obj)
    return sorted(seen.items())


OBJECTS = _public_objects()


@pytest.mark.parametrize("name,obj", OBJECTS, ids=[n for n, _ in OBJECTS])
def test_every_public_class_and_function_has_a_runnable_example(name, obj):
    doc = inspect.getdoc(obj) or ""
    assert "Examples\n--------" in doc and ">>>" in doc, f"{name} has no Examples section"


def test_the_api_is_not_tiny():
    assert len(OBJECTS) >= 60
