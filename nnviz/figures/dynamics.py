"""Still twins of the "how training behaves" scenes, drawn from the same records and theme."""
from __future__ import annotations

import numpy as np

from .. import experiments as E
from .. import theme
from ..experiments import dynamics as X
from . import figure


def _contours(ax, s, log=False, levels=14):
    Z = np.log10(s.loss - np.nanmin(s.loss) + 1e-3) if log else s.loss
    ax.contour(s.xs, s.ys, Z, levels=levels, colors=theme.MUTED, linewidths=0.6, linestyles="solid")
    ax.set_xlim(s.xs[0], s.xs[-1])
    ax.set_ylim(s.ys[0], s.ys[-1])


@figure("dynamics_momentum", experiments=("dynamics_momentum",), size=(13, 4.2))
def momentum(fig):
    """Plain GD vs momentum at (η*, β*) on a κ = 100 bowl, and the measured rate per β vs theory."""
    rec = E.load("dynamics_momentum")
    sw, s = rec["sweep"], rec["surface"]
    m = sw.meta
    shown = int(np.argmin(np.abs(sw.columns["beta"] - m["shown"][0])))
    runs = {"gd": rec["gd_tuned"], "star": rec["optimum"], "high": rec[f"star_{shown}"]}
    cols = {"gd": theme.OPTIMIZER["sgd"], "star": theme.OPTIMIZER["momentum"], "high": theme.REGIME["oscillating"]}
    names = {"gd": f"plain GD, best η = {m['eta_gd']:.2f}",
             "star": f"momentum η* = {m['eta_star']:.2f}, β* = {m['beta_star']:.3f}",
             "high": f"momentum η*, β = {runs['high'].meta['beta']:g}"}
    ax, ax2, ax3 = fig.subplots(1, 3)
    _contours(ax, s, log=True, levels=10)
    for k in ("high", "star", "gd"):
        p = runs[k].thetas
        ax.plot(p[:, 0], p[:, 1], "-", lw=0.9, color=cols[k], label=names[k])
        ax2.plot(np.log10(X.distances(runs[k], (0, 0))), color=cols[k], lw=1.5)
    ax.plot(0, 0, "*", color=theme.INK, ms=10)
    ax.set_aspect("equal")
    ax.set_xlabel("$\\theta_1$")
    ax.set_ylabel("$\\theta_2$")
    ax.legend(fontsize=7, loc="lower right")
    ax.set_title(f"κ = λ$_{{max}}$/λ$_{{min}}$ = {m['kappa']:g}", fontsize=10)
    ax2.set_xlabel("step")
    ax2.set_ylabel("$\\log_{10}\\,\\|\\theta_k - \\theta^*\\|$")
    ax2.set_title("distance to the minimum", fontsize=10)
    c = sw.columns
    for key, col, lab, mk in (("star", theme.OPTIMIZER["momentum"], f"η* = {m['eta_star']:.2f}", "o"),
                              ("gd", theme.MUTED, f"η = {m['eta_gd']:.2f}", "o")):
        ax3.plot(c["theory_beta"], np.minimum(c[f"theory_{key}"], 1.2), "--", color=col, lw=1)
        r = c[f"rate_{key}"]
        ax3.plot(c["beta"], np.minimum(r, 1.2), mk, color=col, mfc=col if key == "star" else "none",
                 label=f"measured at {lab} (dashed: theory)")
    ax3.axhline(1.0, color=theme.REGIME["diverging"], ls=":", lw=1)
    ax3.axvline(m["beta_star"], color=theme.OPTIMIZER["momentum"], ls=":", lw=1)
    ax3.annotate("β*", (m["beta_star"], 0.76), color=theme.OPTIMIZER["momentum"], fontsize=9, xytext=(3, 0),
                 textcoords="offset points")
    ax3.set_ylim(0.75, 1.22)
    ax3.set_xlabel("momentum β")
    ax3.set_ylabel("rate ρ per step (>1 diverges; capped at 1.2)")
    ax3.set_title(f"at (η*, β*): measured ρ = {rec['optimum'].meta['rate']:.3f}, "
                  f"(√κ−1)/(√κ+1) = {m['rho_star']:.3f}", fontsize=9)
    ax3.legend(fontsize=7, loc="center left")
    fig.tight_layout()
