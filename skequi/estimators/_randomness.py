"""Per-fit random number generators, so that a seed means the same model anywhere.

torch has one global generator per device. Forking it (``fork_rng``) and
seeding it inside ``fit`` is reproducible only when nothing else draws from it
at the same time: two fits in threads interleave their draws and neither
matches a serial fit. So every fit gets its own generators, derived from one
integer seed with :class:`numpy.random.SeedSequence`:

* ``"init"`` seeds torch's global generator while the module is built, under a
  process-wide lock (layer constructors draw from the global generator, and
  the lock keeps concurrent fits from interleaving those draws);
* ``"shuffle"`` (CPU) orders the training batches, the same on every device;
* ``"augment"`` (on the compute device) draws the group elements of the
  latent method and of EMLP's augmentation.

Nothing else in a fit draws random numbers (skequi's models have no
dropout); a user-supplied encoder with dropout still draws from the global
generator and is then reproducible only in serial fits.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from numbers import Integral

import numpy as np
import torch

__all__ = ["FitRandomness", "derive_seed", "isolated_global_rng"]

_INIT_LOCK = threading.RLock()
_PURPOSES = {"init": 0, "shuffle": 1, "augment": 2}


def derive_seed(random_state) -> int:
    """One integer seed for a fit, drawn as scikit-learn estimators draw it.

    An int is used as it is; a ``numpy.random.RandomState`` gives a new draw
    on every fit (so repeated fits differ, as with sklearn); ``None`` draws
    from torch's global generator, so ``torch.manual_seed`` before ``fit``
    makes unseeded fits reproducible, as in plain skorch.

    Examples
    --------
    >>> import numpy as np
    >>> from skequi.estimators._randomness import derive_seed
    >>> same = derive_seed(np.random.RandomState(0)) == derive_seed(np.random.RandomState(0))
    >>> derive_seed(7), same
    (7, True)
    """
    if random_state is None:
        with _INIT_LOCK:
            return int(torch.randint(0, 2**62, (1,)).item())
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(np.iinfo(np.int32).max))
    if isinstance(random_state, Integral) and not isinstance(random_state, bool):
        return int(random_state)
    raise TypeError(
        "random_state must be an int, a numpy.random.RandomState or None; got "
        f"{random_state!r} ({type(random_state).__name__})"
    )


class FitRandomness:
    """The generators of one fit, all derived from ``seed``.

    Parameters
    ----------
    seed : int
    """

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)

    def _child_seed(self, purpose: str) -> int:
        state = np.random.SeedSequence([self.seed % 2**63, _PURPOSES[purpose]]).generate_state(2)
        return int(state[0]) << 31 ^ int(state[1])

    def generator(self, purpose: str, device="cpu") -> torch.Generator:
        """A fresh generator for ``purpose`` on ``device``."""
        generator = torch.Generator(device=torch.device(device))
        generator.manual_seed(self._child_seed(purpose) % 2**63)
        return generator

    @contextmanager
    def global_rng_for_init(self):
        """torch's global CPU generator seeded for building the module, then restored.

        Modules are built on the CPU and moved to the device afterwards, so the
        CPU generator is the only one their initialisers draw from.
        """
        with _INIT_LOCK, torch.random.fork_rng(devices=[]):
            torch.default_generator.manual_seed(self._child_seed("init") % 2**63)
            yield


@contextmanager
def isolated_global_rng():
    """Build throwaway modules (e.g. to count parameters) without touching any fit's draws.

    Holds the lock under which fits build their modules and restores torch's
    global CPU generator afterwards, so concurrent fits in threads see exactly
    the draws they would see alone.
    """
    with _INIT_LOCK, torch.random.fork_rng(devices=[]):
        yield
