"""Every benchmark command the project hands to a person or a device machine parses.

reproduce.py's GPU protocols and gpu_checks.sh's steps run only when a session is lent
a GPU, rarely; a flag renamed in a script would otherwise surface there, on scarce device
time. Each command is given to its script's own argument parser, stopped right after
parsing: nothing is trained.
"""

import argparse
import pathlib
import re
import shlex

import pytest

BENCHMARKS = pathlib.Path(__file__).parents[1] / "benchmarks"


class _Parsed(Exception):
    """Raised in place of running a script once its arguments have parsed."""


@pytest.fixture()
def parses(benchmark_script, monkeypatch):
    """``parses(argv)``: whether ``python benchmarks/x.py args...`` is accepted by x.py."""
    original = argparse.ArgumentParser.parse_args

    def parse_then_stop(self, args=None, namespace=None):
        raise _Parsed(original(self, args, namespace))

    monkeypatch.setattr(argparse.ArgumentParser, "parse_args", parse_then_stop)

    def check(argv: list[str]) -> argparse.Namespace:
        assert argv[0] in ("python", "python3") and argv[1].startswith("benchmarks/"), argv
        module = benchmark_script(pathlib.Path(argv[1]).stem)
        with pytest.raises(_Parsed) as parsed:
            module.main(argv[2:])
        return parsed.value.args[0]

    return check


def _reproduce_commands(benchmark_script) -> list[tuple[str, list[str]]]:
    reproduce = benchmark_script("reproduce")
    return [(f"{name} ({device})", ["python", *command])
            for name, (cpu, gpu) in reproduce.PROTOCOLS.items()
            for device, command in (("cpu", cpu), ("cuda", gpu))]


def _gpu_check_steps() -> list[tuple[str, list[str]]]:
    """gpu_checks.sh's ``run NAME SECONDS python3 benchmarks/... args`` lines."""
    text = (BENCHMARKS / "gpu_checks.sh").read_text().replace("\\\n", " ")
    steps = []
    for line in text.splitlines():
        match = re.match(r"run ([\w-]+) \d+ (python3 -m pytest.*|python3 benchmarks/.*)$",
                         line.strip())
        if match and "pytest" not in match.group(2):
            steps.append((match.group(1), shlex.split(match.group(2).replace("$OUT", "out"))))
    return steps


def test_every_reproduce_protocol_parses_on_both_devices(benchmark_script, parses):
    commands = _reproduce_commands(benchmark_script)
    assert len(commands) > 40
    for name, argv in commands:
        args = parses(argv)
        if name.endswith("(cuda)"):
            assert args.device == "cuda", name


def test_every_gpu_check_step_parses(parses):
    steps = _gpu_check_steps()
    script = (BENCHMARKS / "gpu_checks.sh").read_text()
    assert len(steps) + 1 == len(re.findall(r"^run ", script, re.M))  # every step but pytest
    names = {name for name, _ in steps}
    assert {"sweep", "emlp", "ddmnist-d4", "mnist-rotated", "plumes"} <= names
    for name, argv in steps:
        assert parses(argv).device == "cuda", name


def test_a_misspelt_flag_is_caught(parses):
    with pytest.raises(SystemExit):
        parses(["python", "benchmarks/bench_emlp.py", "--sizez", "100"])
