"""The schedules against torch.optim.lr_scheduler, where one matches: StepLR, ExponentialLR, CosineAnnealingLR
(up to its period; it then rises again where ours holds η_min), LinearLR for the warm-up, and SequentialLR for a
warm-up then a cosine.

`make test` installs PyTorch's CPU build from this machine's disk; where it is absent this test skips saying so.
"""

import pytest

from engine.schedules import make_schedule

torch = pytest.importorskip("torch", reason="PyTorch is not installed (make test installs torch==2.13.0+cpu)")
LR = 0.3
# torch updates the learning rate by repeated multiplication (its "chainable" form): rounding accumulates
# over a few hundred updates, a few ulps each.
TOLERANCE = 1e-12


def torch_etas(make, updates: int) -> list[float]:
    param = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([param], lr=LR)
    scheduler = make(opt)
    etas = []
    for _ in range(updates):
        etas.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return etas


S = torch.optim.lr_scheduler


@pytest.mark.parametrize("ours,theirs,updates", [
    (make_schedule("step", step_size=7, gamma=0.5), lambda o: S.StepLR(o, step_size=7, gamma=0.5), 100),
    (make_schedule("exponential", gamma=0.97), lambda o: S.ExponentialLR(o, gamma=0.97), 300),
    (make_schedule("cosine", period=50, min_factor=0.1), lambda o: S.CosineAnnealingLR(o, T_max=50, eta_min=0.1 * LR),
     51),
    (make_schedule("cosine", period=50), lambda o: S.CosineAnnealingLR(o, T_max=50), 51),
    (make_schedule("constant", warmup=8),
     lambda o: S.LinearLR(o, start_factor=1 / 8, end_factor=1.0, total_iters=7), 40),
    (make_schedule("cosine", period=30, warmup=5),
     lambda o: S.SequentialLR(o, [S.LinearLR(o, start_factor=1 / 5, end_factor=1.0, total_iters=4),
                                  S.CosineAnnealingLR(o, T_max=30)], milestones=[5]), 36),
])
def test_the_schedules_match_torch(ours, theirs, updates):
    expected = torch_etas(theirs, updates)
    for t, eta in enumerate(expected):
        assert ours.eta(LR, t) == pytest.approx(eta, rel=TOLERANCE, abs=TOLERANCE * LR), t
