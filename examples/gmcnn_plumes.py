"""Does a relaxed rotation symmetry help forecast smoke plumes whose buoyancy breaks it?

Simulates eight plumes with PhiFlow (an inflow on one of four walls, buoyancy
away from it, stronger in each simulation), holds two of them out (as Wang et
al. hold out interleaved tasks) and trains GM-CNNs (exact C4, relaxed C4, a
plain CNN) that map 10 frames of velocity to the next one, each on its own
3-step rollout (``rollout_steps=3``; Wang et al.: 6). Each model is then
rolled out for 10 steps on the held-out plumes, from the frames Wang et
al.'s domain test starts at, beside persistence (the last frame again).

A demo: 40 frames at 24x24 and 15 epochs; ``benchmarks/bench_plumes.py``
runs Wang et al.'s protocol (282 frames, every test window).

Run: python examples/gmcnn_plumes.py   (about a minute on 2 CPU cores; needs phiflow)
"""

import os

import numpy as np

from skequi import GMCNNRegressor
from skequi.datasets import make_plumes
from skequi.dynamics import forecast_rmse, forecasting_pairs, rollout

QUICK = os.environ.get("SKEQUI_EXAMPLE_QUICK") == "1"  # tiny settings for the test suite
SIZE, FRAMES, EPOCHS, STEPS, HISTORY = (16, 12, 1, 2, 3) if QUICK else (24, 40, 15, 10, 10)
TRAIN_STEPS = 3  # the rollout each model is trained on
HELD_OUT = [2, 5]  # a top and a right inflow; every side stays in training

frames, info = make_plumes(8, variant="rotation", size=SIZE, n_frames=FRAMES)
frames = frames / frames.std()
print(info[["side", "force_u", "force_v"]].round(4).to_string())

train = np.delete(frames, HELD_OUT, axis=0)
held_out = frames[HELD_OUT]
X, y = forecasting_pairs(train, history=HISTORY, horizon=TRAIN_STEPS)
y = y.reshape(len(y), -1, SIZE, SIZE)  # TRAIN_STEPS frames of 2 channels each

start = HISTORY + 2  # Wang et al.'s mid offset: the first frame forecast
truth = held_out[:, start:start + STEPS]
persistence = np.repeat(held_out[:, start - 1:start], STEPS, axis=1)
models = {
    "CNN (C1, exact)": GMCNNRegressor("C1", channels=(16, 16)),
    "GM-CNN C4, exact": GMCNNRegressor("C4", channels=(4, 4)),
    "GM-CNN C4, relaxation_rank=1": GMCNNRegressor("C4", relaxation_rank=1, channels=(4, 4)),
}
print(f"\n{len(X)} training windows; {STEPS}-step rollout RMSE on the held-out plumes:")
print(f"  {'persistence':<30} {forecast_rmse(truth, persistence):.3f}")
for name, model in models.items():
    model.set_params(field="vector", rollout_steps=TRAIN_STEPS, max_epochs=EPOCHS, lr=3e-3,
                     random_state=0).fit(X, y)
    forecast = rollout(model, held_out[:, start - HISTORY:start], STEPS)
    rmse = forecast_rmse(truth, forecast)
    print(f"  {name:<30} {rmse:.3f}  ({model.n_params_:,} free parameters)")
