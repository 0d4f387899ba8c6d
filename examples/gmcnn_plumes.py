"""Does a relaxed rotation symmetry help forecast smoke plumes whose buoyancy breaks it?

Simulates plumes with PhiFlow (an inflow on one of four walls, buoyancy away
from it with a magnitude per simulation), trains GM-CNNs that map 10 frames
of velocity to the next one (exact C4, relaxed C4, a plain CNN) and rolls
them out for 10 steps on later frames of the same simulations.

Run: python examples/gmcnn_plumes.py   (under a minute on 2 CPU cores; needs phiflow)
"""

import os

from skequi import GMCNNRegressor
from skequi.datasets import make_plumes
from skequi.dynamics import forecast_rmse, forecasting_pairs, rollout, scaled_splits

QUICK = os.environ.get("SKEQUI_EXAMPLE_QUICK") == "1"  # tiny settings for the test suite
SIZE, FRAMES, EPOCHS, STEPS = (16, 16, 1, 3) if QUICK else (24, 60, 15, 10)

frames, info = make_plumes(4, variant="rotation", size=SIZE, n_frames=FRAMES)
frames = frames / frames.std()
print(info[["side", "force_u", "force_v"]].round(4).to_string())

splits = scaled_splits(FRAMES)
X, y = forecasting_pairs(frames, history=10 if not QUICK else 3, horizon=1,
                         start=splits["train"][0], stop=splits["train"][1])
history = 10 if not QUICK else 3
start = splits["future"][0]
models = {
    "CNN (C1, exact)": GMCNNRegressor("C1", channels=(16, 16)),
    "GM-CNN C4, exact": GMCNNRegressor("C4", channels=(4, 4)),
    "GM-CNN C4, relaxation_rank=1": GMCNNRegressor("C4", relaxation_rank=1, channels=(4, 4)),
}
print(f"\n{len(X)} training pairs; {STEPS}-step rollout RMSE on later frames:")
for name, model in models.items():
    model.set_params(field="vector", max_epochs=EPOCHS, lr=3e-3, random_state=0).fit(X, y)
    forecast = rollout(model, frames[:, start - history:start], STEPS)
    rmse = forecast_rmse(frames[:, start:start + STEPS], forecast)
    print(f"  {name:<30} {rmse:.3f}  ({model.n_params_:,} free parameters)")
