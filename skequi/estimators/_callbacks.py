"""skorch callbacks as the estimators use them: early stopping that keeps its
best weights on the host, and an epoch log without colour codes."""

from __future__ import annotations

from skorch.callbacks import EarlyStopping, PrintLog
from skorch.utils import Ansi

__all__ = ["HostEarlyStopping", "PlainPrintLog", "silent"]


class HostEarlyStopping(EarlyStopping):
    """skorch's EarlyStopping, keeping the best weights in host memory and dropping them
    once restored, so that they hold no device memory between fits."""

    def on_epoch_end(self, net, **kwargs):
        super().on_epoch_end(net, **kwargs)
        weights = self.best_model_weights_
        if weights is not None and any(v.device.type != "cpu" for v in weights.values()):
            self.best_model_weights_ = {k: v.detach().cpu() for k, v in weights.items()}

    def on_train_end(self, net, **kwargs):
        super().on_train_end(net, **kwargs)
        self.best_model_weights_ = None


class PlainPrintLog(PrintLog):
    """skorch's epoch table without ANSI colour codes (for logs and pipes)."""

    def format_row(self, row, key, color):
        return super().format_row(row, key, color="").replace(Ansi.ENDC.value, "")


def silent(*args, **kwargs):
    """A sink that drops EarlyStopping's messages."""
