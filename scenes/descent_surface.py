"""The loss surface in 3-D: a moons MLP's loss along the PCA plane of its own trajectory
(or a filter-normalised random plane), with the descent path on it and a camera orbit;
on screen the explained variance and how far the real path lies off the plane. Analytic
variants (bowl, Rosenbrock) show a surface that *is* the whole loss.

The surface is a `SurfaceMesh` (the record's own grid: 64² faces for the network, 80² for the
analytic ones), drawn by `SurfaceCamera`: hills hide the path behind them, the contour floor
under it shows the same loss as a map.

    manim -ql scenes/descent_surface.py DescentSurface           # PCA plane, heights on the slice
    manim -ql scenes/descent_surface.py DescentSurfaceTrue       # PCA plane, heights = true loss
    manim -ql scenes/descent_surface.py DescentSurfaceRandom     # random plane: the path as a shadow
    manim -ql scenes/descent_surface.py DescentSurfaceBowl
    manim -ql scenes/descent_surface.py DescentSurfaceRosenbrock
"""
import textwrap

import manim as mn
import numpy as np

from nnviz import experiments, theme
from nnviz.experiments.descent import HEIGHT_LABELS, path_heights
from nnviz.render.pacing import TimeWarp, path_progress
from nnviz.render.plots import LossPlot
from nnviz.render.style import ThemedThreeDScene, color, heading, label
from nnviz.render.surface import box_axes, height_map
from nnviz.render.surface3d import SurfaceMesh, grid_minimum, marker, outline
from nnviz.render.widgets import DescentPath, Readout, StepCounter


def at_window_edge(surf) -> bool:
    """Is the lowest grid cell on the border of the drawn window (the true low lies beyond it)?"""
    Z = np.where(np.isfinite(surf.loss), surf.loss, np.inf)
    j, i = np.unravel_index(int(np.argmin(Z)), Z.shape)
    return i in (0, Z.shape[1] - 1) or j in (0, Z.shape[0] - 1)


def describe(opt: dict) -> str:
    """'momentum (η=0.001, β=0.9)' from a run's optimizer config (constant-rate schedules)."""
    lr = opt.get("lr")
    lr = lr.get("lr") if isinstance(lr, dict) else lr
    extra = "".join(f", β={opt[k]:g}" for k in ("beta",) if k in opt)
    # an objective is minimised full-batch: its plain 'sgd' update is deterministic GD
    name = "GD" if opt["name"] == "sgd" else opt["name"]
    return f"{name} (η={lr:g}{extra})"


class DescentSurface(ThemedThreeDScene):
    experiment = "descent_surface"
    plane = "pca"           # record: "pca" | "random" (network) or "bowl" | "rosenbrock" (analytic)
    heights = "slice"       # network paths: "slice" (on the drawn surface) or "true" (J at the real θₜ)
    resolution = None       # faces per side: None = the record's grid (64² network, 80² analytic)
    mesh_every = 8          # a grid line every k faces (0: none)
    floor_levels = 0        # contour lines on a floor under the surface (0: none; the PCA slice, a
                            # tilted sheet seen from the side, hides its floor but for lines below it)
    floor_gap = 0.35        # scene units between the box's bottom and the contour floor
    log = True              # heights log10(loss): network losses span decades
    log_floor = 1e-4
    phi, theta = 62, -105   # camera start (degrees)
    end_phi, end_theta = 55, -80  # where the camera comes to rest: path and valley in view
    zoom = 0.85
    offset = (-0.4, -0.35)  # on-screen shift of the 3-D picture (scene units), clear of the text
    orbit_rate = 0.08       # rad/s of ambient camera rotation while the path grows
    run_time = 7.0
    shadow = False          # draw the path as its shadow on the floor, not on the surface
    keep_last_note = True   # the plane's honesty line stays on screen with the closing reason

    def construct(self):
        rec = experiments.load(self.experiment)
        surf = rec[self.plane]
        xy, h, steps, notes = self.path(rec, surf)
        hmap = height_map(surf.loss, log=self.log, floor=self.log_floor)
        H = hmap(surf.loss)
        z = hmap(h)
        zr = [float(min(H.min(), z.min())), float(max(H.max(), z.max()))]
        axes = box_axes(surf.xs[[0, -1]], surf.ys[[0, -1]], zr, z_length=3.6, x_length=6.5, y_length=6.5)
        axes.shift(0.25 * mn.OUT)  # room for the contour floor below
        self.set_camera_orientation(phi=self.phi * mn.DEGREES, theta=self.theta * mn.DEGREES, zoom=self.zoom)
        self.camera.offset = self.offset
        mesh = self.mesh(axes, surf.xs, surf.ys, H)
        t = mn.ValueTracker(0.0)
        if self.shadow:
            # the floor is SurfaceMesh's floor_gap below the box: the same axes, shifted down
            floor = axes.copy().shift(-self.floor_gap * mn.OUT)
            pts = np.column_stack([xy, np.full(len(xy), zr[0])])
            path = DescentPath(pts, floor, steps=steps, color=color(theme.SURFACE_PATH), tracker=t, stroke_width=4,
                               head_radius=0.08)
        else:
            path = DescentPath(np.column_stack([xy, z]), axes, steps=steps, color=color(theme.SURFACE_PATH),
                               tracker=t, stroke_width=5, head_radius=0.09)
        outline(path, 3.5)
        x, y, v = grid_minimum(surf.xs, surf.ys, surf.loss)
        star = marker(axes.c2p(x, y, float(hmap(np.array([v]))[0])), radius=0.18)
        occlude = getattr(mesh, "occlude", None)
        if occlude is not None:
            occlude(path, jump=self.jump(axes))
            occlude(star, lift=3.0)  # a marker stands on the surface: drawn over its own cell's neighbours
        self.add_fixed_orientation_mobjects(star)
        guides, guide_words = self.guides(axes, surf, hmap)
        for g in guides:
            occlude(g)
        title = heading(self.title(surf), size=30, buff=0.2)
        top = [hmap.words, self.minimum_words(surf, v)] + guide_words
        legend = mn.VGroup(*[label(s, size=24, color=color(theme.MUTED)) for s in top])
        legend.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06).next_to(title, mn.DOWN, buff=0.12)
        legend.to_edge(mn.LEFT, buff=0.3)
        info = mn.VGroup(*[label(s, size=24, color=color(theme.FOREGROUND) if i == 0 else color(theme.MUTED))
                           for i, s in enumerate(notes[:2])]).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06)
        info.to_corner(mn.DL, buff=0.2)
        info.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.85, buff=0.06)  # over floor lines
        counter = StepCounter(t, total=int(steps[-1]), size=28, drawing=True)
        loss = self.loss_readout(rec, t, steps, h)
        meters = mn.VGroup(counter, loss).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)
        meters.move_to([3.8, 2.2, 0], aligned_edge=mn.UL)  # readouts grow to the right: room for "3.6e-05"
        extra = self.side(rec, t, steps)
        self.add_fixed_in_frame_mobjects(title, info, legend, meters, *extra)
        self.add(mesh, *guides, path, star)
        warp = self.warp(xy, steps, surf)
        t.set_value(warp.first_step)
        self.begin_ambient_camera_rotation(rate=self.orbit_rate)
        self.play(warp.animate(t))
        self.stop_ambient_camera_rotation()
        self.pause("path-drawn")
        self.move_camera(phi=self.end_phi * mn.DEGREES, theta=self.end_theta * mn.DEGREES, run_time=2)
        why = self.why(rec, surf, v)
        if why:
            # the reason in plain words, in the notes' place (they leave first: no two texts overlap)
            words = label(textwrap.fill(why, 74), size=24, color=color(theme.FOREGROUND), line_spacing=0.8)
            keep = info[2:] if self.keep_last_note and len(info) > 2 else mn.VGroup()
            gone = [m for m in info if m not in keep]
            if len(keep):
                words.next_to(keep, mn.UP, aligned_edge=mn.LEFT, buff=0.08)
            else:
                words.to_corner(mn.DL, buff=0.2)
            words.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.85, buff=0.06)
            self.play(mn.FadeOut(mn.VGroup(*gone)), run_time=0.4)
            self.add_fixed_in_frame_mobjects(words)
            self.play(mn.FadeIn(words))
            self.wait(3.5)
        else:
            self.wait(0.5)

    def loss_readout(self, rec, tracker, steps, heights):
        """The loss at the step being drawn: for a network path drawn on the slice, both its true loss
        J(θₜ) and the drawn height (the slice's loss at its projection), which differ off the plane."""
        p = rec.get(f"{self.plane}_path") if hasattr(rec, "get") else None
        s = np.asarray(steps, float)

        def readout(name, vals):
            vals = np.asarray(vals, float)
            return Readout(tracker, lambda x: f"{name} {vals[min(int(np.searchsorted(s, x - 1e-9)), len(vals) - 1)]:.2g}",
                           size=28, color=color(theme.FOREGROUND))
        if p is None:
            return readout("loss", heights)
        if self.heights == "slice" and not self.shadow:
            return mn.VGroup(readout("true loss", p.true_loss), readout("drawn at", heights)).arrange(
                mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)
        return readout("loss", p.true_loss)

    def why(self, rec, surf, v) -> str | None:
        """Why the path ends where it does (the network's PCA plane): the run stopped while its loss
        was still falling, short of the slice's lowest point."""
        p = rec[f"{self.plane}_path"]
        k = int(np.searchsorted(p.steps, p.steps[-1] - 50))
        return (f"The path ends at the run's last θ (the plane's centre): {p.steps[-1]} steps were not enough. "
                f"Its loss was still falling ({p.true_loss[k]:.3f} → {p.true_loss[-1]:.3f} in the last "
                f"{int(p.steps[-1] - p.steps[k])} steps); the valley runs on past ★ ({v:.3f}).")

    @classmethod
    def warp(cls, xy, steps, surf) -> TimeWarp:
        """Video time follows the drawn path's length on the plane (a log-step clock as a floor),
        not raw steps: most of the distance is covered in the first steps."""
        return TimeWarp.from_progress(path_progress(xy, steps, [surf.xs[[0, -1]], surf.ys[[0, -1]]],
                                                    [np.ptp(surf.xs), np.ptp(surf.ys)]), cls.run_time,
                                      last_step=float(steps[-1]))

    def mesh(self, axes, xs, ys, H):
        """The surface mobject (a hook: bench/bench_surface.py swaps in manim.Surface for 'before')."""
        return SurfaceMesh(axes, xs, ys, H, resolution=self.resolution, mesh_every=self.mesh_every,
                           floor_levels=self.floor_levels, floor_gap=self.floor_gap, light=0.6,
                           colors=theme.LOSS_RAMP)

    def jump(self, axes):
        """Steps longer than this (scene units) are drawn dashed: a jump, not a route."""
        return 1.2

    def side(self, rec, tracker, steps):
        return []

    def guides(self, axes, surf, hmap):
        """Extra 3-D lines drawn on the surface (occluded like the path) and their words for the legend."""
        return [], []

    def minimum_words(self, surf, v):
        if at_window_edge(surf):
            return f"★ lowest point drawn: {v:.2g}, at the window's edge (the valley runs on)"
        return f"★ lowest loss on this slice: {v:.3g}"

    def title(self, surf):
        return {"pca": "A moons MLP's loss along its path's two main directions",
                "random": "A moons MLP's loss along two random directions"}.get(
                    surf.method, f"The {self.plane.capitalize()} surface with a descent path")

    def path(self, rec, surf):
        """(plane coordinates, heights, steps, on-screen notes) of the network path on this plane."""
        p = rec[f"{self.plane}_path"]
        notes = [HEIGHT_LABELS[self.heights]]
        if surf.method == "pca":
            ev = surf.meta["explained_variance"]
            notes.append(f"PCA plane of the path (PC1 {ev[0]:.1%}, PC2 {ev[1]:.1%}); real path ≤ "
                         f"{p.rel_off_plane.max():.0%} off it")
        else:
            notes.append(f"up to {p.rel_off_plane.max():.0%} of the real path's distance to θ* is off this plane")
        return p.coords, path_heights(p, self.heights), p.steps.astype(float), notes


class DescentSurfaceTrue(DescentSurface):
    heights = "true"


class DescentSurfaceRandom(DescentSurface):
    """The path lies mostly off a random plane: its projection is drawn as a shadow on the floor,
    and the true loss beside it, with the share of the path that lies off the plane."""

    plane = "random"
    shadow = True
    floor_levels = 12       # the floor carries the path's shadow
    end_phi, end_theta = 50, -95
    zoom = 0.72
    offset = (-2.1, -0.35)

    def path(self, rec, surf):
        xy, h, steps, notes = super().path(rec, surf)
        notes[0] = "path: its shadow on the floor (the plane misses most of it)"
        return xy, h, steps, notes

    def why(self, rec, surf, v):
        return None

    def side(self, rec, tracker, steps):
        p = rec[f"{self.plane}_path"]
        true, shadow = "true loss J(θₜ)", "loss at its shadow"
        plot = LossPlot({true: p.true_loss, shadow: p.plane_loss},
                        colors={true: color(theme.SURFACE_PATH), shadow: color(theme.MUTED)},
                        steps={true: p.steps, shadow: p.steps},
                        log_y=True, width=3.6, height=2.4, tracker=tracker, legend=False, x_ticks=3)
        plot.to_edge(mn.RIGHT, buff=0.3).shift(0.6 * mn.DOWN)
        keys = list(plot.curves)
        names = mn.VGroup(*[label(k, size=24, color=plot.curves[k].trace.color) for k in keys])
        names.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.06).next_to(plot, mn.UP, buff=0.12)
        names.align_to(plot, mn.LEFT)
        rel = p.rel_off_plane
        s = np.asarray(p.steps, float)
        off = Readout(tracker, lambda v: f"now {rel[min(int(np.searchsorted(s, v - 1e-9)), len(rel) - 1)]:.0%} off the plane",
                      size=24, color=color(theme.FOREGROUND))
        off.next_to(plot, mn.DOWN, buff=0.12).align_to(plot, mn.LEFT)
        return [plot, names, off]


class DescentSurfaceBowl(DescentSurface):
    """Two parameters only: the surface is the whole loss, so the path lies on it exactly."""

    plane = "bowl"
    orbit_rate = 0.15
    floor_levels = 12
    log = False             # a quadratic bowl reads best as itself
    zoom = 0.66             # its steep rim otherwise reaches into the title
    offset = (0.0, -0.7)    # below the three legend lines
    end_phi, end_theta = 50, -70

    def path(self, rec, surf):
        run = rec[f"{self.plane}_run"]
        h = run.train_loss[: len(run.thetas)]  # f(θₜ), evaluated every step for an objective
        self._run = f"{describe(run.config['optimizer'])}, {run.n_steps} steps"
        notes = ["path height: the exact loss f(θₜ) — two parameters, nothing is projected",
                 f"{surf.meta.get('formula', '')};  {self._run}"]
        return run.thetas, h, run.steps.astype(float), notes

    phi, theta = 46, -105   # from high up (phi from the vertical): the floor, the bend and ★ stay in view
    end_phi, end_theta = 40, -80
    orbit_rate = 0.08

    def minimum_words(self, surf, v):
        return f"★ the minimum, loss {v:.3g};  dashed: one long step"

    def guides(self, axes, surf, hmap):
        """The bowl's two principal axes through the minimum, on the surface: along axis i the loss is
        ½ λᵢ s² exactly (a quadratic with f* = 0), so the lines are drawn from the recorded curvatures."""
        if "curvatures" not in surf.meta:
            return [], []
        lines, words = [], []
        (lo, hi), vecs = surf.meta["curvatures"], np.asarray(surf.meta["axes"], float)
        box = np.array([surf.xs[[0, -1]], surf.ys[[0, -1]]], float)
        for lam, v, col, name in ((hi, vecs[1], theme.FOREGROUND, "steep"), (lo, vecs[0], theme.MUTED, "flat")):
            with np.errstate(divide="ignore"):
                r = float(np.min(np.abs(np.where(np.abs(v) > 1e-12, box.max(axis=1) / np.abs(v), np.inf))))
            s = np.linspace(-0.98 * r, 0.98 * r, 61)
            p = s[:, None] * v[None, :]
            z = hmap(0.5 * lam * s ** 2)
            line = mn.VMobject(stroke_color=color(col), stroke_width=3)
            line.set_points_as_corners([axes.c2p(x, y, h) for (x, y), h in zip(p, z)])
            lines.append(line)
            words.append(f"{'white' if name == 'steep' else 'grey'}: {name} axis (curvature {lam:g})")
        return lines, ["  ·  ".join(words)]

    def why(self, rec, surf, v):
        """The bend in plain words, from the bowl's recorded curvatures and the run's step lengths."""
        lo, hi = sorted(surf.meta["curvatures"])
        run = rec[f"{self.plane}_run"]
        first = float(np.linalg.norm(run.thetas[1] - run.thetas[0]))
        return (f"Why it bends: the bowl is {hi / lo:.0f}× steeper across than along (curvature {hi:g} vs {lo:g}). "
                f"A step goes straight down the slope (η × gradient), so GD first drops across it "
                f"in long steps (the first is {first:.1f}, dashed), then slides along the flat floor to ★.")


class DescentSurfaceRosenbrock(DescentSurfaceBowl):
    plane = "rosenbrock"
    log = True
    phi, theta = 40, -115   # from the valley's open side: the banana valley and the path in view
    end_phi, end_theta = 36, -88
    orbit_rate = 0.08
    zoom, offset = 0.8, (0.0, -0.35)
    log_floor = 1e-2  # flattens the valley floor, narrower than a mesh cell, instead of a sawtooth

    def why(self, rec, surf, v):
        run = rec[f"{self.plane}_run"]
        k = len(run.train_loss) - 1 - 50
        return (f"It stops short of ★: along the valley floor the slope is nearly flat, so each step is tiny. "
                f"Its loss was still falling ({run.train_loss[k]:.3f} → {run.train_loss[-1]:.3f} in the last "
                f"50 steps) when the {run.n_steps} steps ran out.")
