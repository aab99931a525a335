"""Every number and claim the "how training behaves" scenes show, recomputed from their records."""
import numpy as np
import pytest

from nnviz import experiments as E
from nnviz.experiments import dynamics as X


# --------------------------------------------------------------------------- momentum
@pytest.fixture(scope="module")
def momentum():
    return E.load("dynamics_momentum")


def test_momentum_optimum_formulas_match_the_record(momentum):
    m = momentum["sweep"].meta
    lmin, lmax = m["lambda_min"], m["lambda_max"]
    kappa = lmax / lmin
    assert m["kappa"] == pytest.approx(kappa)
    assert m["eta_star"] == pytest.approx((2 / (np.sqrt(lmin) + np.sqrt(lmax))) ** 2, rel=1e-12)
    assert m["beta_star"] == pytest.approx(((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1)) ** 2, rel=1e-12)
    assert m["rho_star"] == pytest.approx((np.sqrt(kappa) - 1) / (np.sqrt(kappa) + 1), rel=1e-12)
    # the Hessian of the recorded bowl has exactly these eigenvalues
    from nnviz import objectives as O
    H = O.quadratic(**momentum["sweep"].config["objective"]).hessian(np.zeros(2))
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [lmin, lmax], rtol=1e-12)
    # the runs used the recorded hyperparameters
    assert momentum["optimum"].config["optimizer"]["lr"]["lr"] == pytest.approx(m["eta_star"])
    assert momentum["optimum"].config["optimizer"]["beta"] == pytest.approx(m["beta_star"])


def _rate(run, critical=False, start=10):
    return X.fit_rate(X.distances(run, (0.0, 0.0)), start, critical=critical)


def test_momentum_rates_recomputed_from_the_paths(momentum):
    sw = momentum["sweep"]
    assert sw.meta["fit_start"] == 10
    for i, beta in enumerate(sw.columns["beta"]):
        for which in ("star", "gd"):
            run = momentum[f"{which}_{i}"]
            assert run.meta["beta"] == beta
            assert _rate(run) == sw.columns[f"rate_{which}"][i]
    assert momentum["optimum"].meta["rate"] == _rate(momentum["optimum"], critical=True)
    assert momentum["gd_tuned"].meta["rate"] == _rate(momentum["gd_tuned"])


def test_momentum_best_at_the_grid_point_nearest_beta_star(momentum):
    sw = momentum["sweep"]
    beta, rate = sw.columns["beta"], sw.columns["rate_star"]
    nearest = int(np.argmin(np.abs(beta - sw.meta["beta_star"])))
    assert int(np.argmin(rate)) == nearest
    # the measured rates follow the theory curve the scene draws (dashed), point by point
    theory = np.array([X.heavy_ball_rate(b, sw.meta["eta_star"], (sw.meta["lambda_min"], sw.meta["lambda_max"]))
                       for b in beta])
    np.testing.assert_allclose(rate, theory, rtol=0.03)
    # below the stability edge at η* every run diverges (ρ > 1), which the scene says
    assert np.all(rate[beta < sw.meta["stable_beta_min"]] > 1)
    assert np.all(rate[beta > sw.meta["beta_star"]] < 1)


def test_momentum_rate_at_the_optimum_within_5_percent_of_theory(momentum):
    m = momentum["sweep"].meta
    rho = _rate(momentum["optimum"], critical=True)
    assert abs(rho - m["rho_star"]) <= 0.05 * m["rho_star"]
    # and it beats plain GD at its own best η, whose rate is (κ−1)/(κ+1)
    gd = momentum["gd_tuned"].meta["rate"]
    assert gd == pytest.approx(m["gd_theory_rate"], rel=0.01)
    assert rho < gd


def test_fit_rate_recovers_known_rates():
    k = np.arange(200.0)
    assert X.fit_rate(3 * 0.9 ** k) == pytest.approx(0.9, rel=1e-12)
    assert X.fit_rate((k + 1) * 0.8 ** k, critical=True) == pytest.approx(0.8, rel=2e-3)
    assert X.fit_rate(0.5 * 1.5 ** k[:20]) == pytest.approx(1.5, rel=1e-12)
