"""The loss surface in 3-D: a moons MLP's loss along the PCA plane of its own trajectory
(or a filter-normalised random plane), with the descent path on it and a camera orbit;
on screen the explained variance and how far the real path lies off the plane. Analytic
variants (bowl, Rosenbrock) show a surface that *is* the whole loss.

    manim -ql scenes/descent_surface.py DescentSurface           # PCA plane, heights on the slice
    manim -ql scenes/descent_surface.py DescentSurfaceTrue       # PCA plane, heights = true loss
    manim -ql scenes/descent_surface.py DescentSurfaceRandom     # filter-normalised random plane
    manim -ql scenes/descent_surface.py DescentSurfaceBowl
    manim -ql scenes/descent_surface.py DescentSurfaceRosenbrock
"""
import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.descent import HEIGHT_LABELS, path_heights
from nnviz.render.style import ThemedThreeDScene, color, heading, label
from nnviz.render.surface import LossSurface, box_axes, height_map
from nnviz.render.widgets import DescentPath, StepCounter


def describe(opt: dict) -> str:
    """'momentum (η=0.001, β=0.9)' from a run's optimizer config (constant-rate schedules)."""
    lr = opt.get("lr")
    lr = lr.get("lr") if isinstance(lr, dict) else lr
    extra = "".join(f", β={opt[k]:g}" for k in ("beta",) if k in opt)
    return f"{opt['name']} (η={lr:g}{extra})"


class DescentSurface(ThemedThreeDScene):
    experiment = "descent_surface"
    plane = "pca"           # record: "pca" | "random" (network) or "bowl" | "rosenbrock" (analytic)
    heights = "slice"       # network paths: "slice" (on the drawn surface) or "true" (J at the real θₜ)
    resolution = 24         # faces per side: Cairo cost grows with its square
    log = True              # heights log10(loss): network losses span decades
    log_floor = 1e-4
    phi, theta = 62, -105  # camera start (degrees)
    zoom = 0.9
    orbit_rate = 0.12       # rad/s of ambient camera rotation while the path grows
    run_time = 7.0

    def construct(self):
        rec = experiments.load(self.experiment)
        surf = rec[self.plane]
        xy, h, steps, notes = self.path(rec, surf)
        hmap = height_map(surf.loss, log=self.log, floor=self.log_floor)
        # what is shown goes under the title (top left, where the surface leaves room); how to
        # read the path stays at the bottom — five lines there crowded the mesh
        top = (notes[3:] if len(notes) > 3 else []) + [f"vertical axis: {hmap.label}"]
        notes = notes[:3]
        H = hmap(surf.loss)
        z = hmap(h)
        zr = [float(min(H.min(), z.min())), float(max(H.max(), z.max()))]
        axes = box_axes(surf.xs[[0, -1]], surf.ys[[0, -1]], zr, z_length=4.0)
        self.set_camera_orientation(phi=self.phi * mn.DEGREES, theta=self.theta * mn.DEGREES, zoom=self.zoom)
        mesh = LossSurface(axes, surf.xs, surf.ys, H, resolution=self.resolution, opacity=0.75)
        t = mn.ValueTracker(0.0)
        path = DescentPath(np.column_stack([xy, z]), axes, steps=steps, color=color(theme.GRADIENT), tracker=t,
                           stroke_width=5, head_radius=0.09)
        title = heading(self.title(surf), size=30, buff=0.25)
        info = mn.VGroup(*[label(s, size=20, color=color(theme.FOREGROUND) if i == 0 else color(theme.MUTED))
                           for i, s in enumerate(notes)]).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1)
        info.to_corner(mn.DL, buff=0.3)
        legend = mn.VGroup(*[label(s, size=20, color=color(theme.MUTED)) for s in top])
        legend.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1).next_to(title, mn.DOWN, buff=0.25)
        legend.to_edge(mn.LEFT, buff=0.3)
        counter = StepCounter(t, total=int(steps[-1]), size=24).move_to([4.2, 2.7, 0], aligned_edge=mn.LEFT)
        self.add_fixed_in_frame_mobjects(title, info, legend, counter)
        self.add(mesh, path)
        self.begin_ambient_camera_rotation(rate=self.orbit_rate)
        self.play(t.animate.set_value(steps[-1]), run_time=self.run_time, rate_func=mn.linear)
        self.stop_ambient_camera_rotation()
        self.move_camera(phi=50 * mn.DEGREES, run_time=2)
        self.wait(0.5)

    def title(self, surf):
        return {"pca": "Loss surface along the path's two principal directions",
                "random": "Loss along two random, filter-normalised directions"}.get(
                    surf.method, f"The {self.plane} surface with a descent path")

    def path(self, rec, surf):
        """(plane coordinates, heights, steps, on-screen notes) of the network path on this plane."""
        p = rec[f"{self.plane}_path"]
        notes = [HEIGHT_LABELS[self.heights]]
        if surf.method == "pca":
            ev = surf.meta["explained_variance"]
            notes.append(f"PCA plane through the final θ: PC1 {ev[0]:.1%} + PC2 {ev[1]:.1%} of the path's spread")
        else:
            notes.append(f"random directions (seed {surf.meta.get('seed')}), filter-normalised (Li et al. 2018)")
        notes.append(f"the real path is up to {p.rel_off_plane.max():.0%} of its distance to θ* off this plane "
                     f"(max {p.max_off_plane:.2g} in θ units)")
        notes.append(f"moons MLP, {len(surf.origin)} parameters")
        return p.coords, path_heights(p, self.heights), p.steps.astype(float), notes


class DescentSurfaceTrue(DescentSurface):
    heights = "true"


class DescentSurfaceRandom(DescentSurface):
    plane = "random"


class DescentSurfaceBowl(DescentSurface):
    """Two parameters only: the surface is the whole loss, so the path lies on it exactly."""

    plane = "bowl"
    orbit_rate = 0.2
    log = False             # a quadratic bowl reads best as itself
    zoom = 0.75             # its steep rim otherwise reaches into the title

    def path(self, rec, surf):
        run = rec[f"{self.plane}_run"]
        h = run.train_loss[: len(run.thetas)]  # f(θₜ), evaluated every step for an objective
        notes = ["path height: the exact loss f(θₜ) — two parameters, nothing is projected",
                 f"{surf.meta.get('formula', '')};  {describe(run.config['optimizer'])}, {run.n_steps} steps"]
        return run.thetas, h, run.steps.astype(float), notes


class DescentSurfaceRosenbrock(DescentSurfaceBowl):
    plane = "rosenbrock"
    log = True
    phi, theta = 55, -65
    log_floor = 1e-2  # flattens the valley floor, narrower than a mesh cell, instead of a sawtooth
    resolution = 30
