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
import dataclasses
import itertools
import textwrap

import manim as mn
import numpy as np

from nnviz import experiments, objectives as O, theme
from nnviz.display import loss_text, loss_tick_text
from nnviz.experiments.descent import HEIGHT_LABELS, path_heights, step_lengths
from nnviz.experiments.descent_views import sheet_share, start_offsets
from nnviz.render.fades import fade_in, fade_out
from nnviz.render.pacing import TimeWarp, path_progress
from nnviz.render.plots import LossPlot
from nnviz.render.style import ThemedThreeDScene, color, heading, label
from nnviz.render.surface import box_axes, height_map
from nnviz.render.surface3d import (PlaneInset, SurfaceMesh, decade_ticks, grid_minimum, height_axis,
                                    level_rings, marker, outline)
from nnviz.render.widgets import DescentPath, Readout, StepCounter


def at_window_edge(surf) -> bool:
    """Is the lowest grid cell on the border of the drawn window (the true low lies beyond it)?"""
    Z = np.where(np.isfinite(surf.loss), surf.loss, np.inf)
    j, i = np.unravel_index(int(np.argmin(Z)), Z.shape)
    return i in (0, Z.shape[1] - 1) or j in (0, Z.shape[0] - 1)


def optimizer_key(opt: dict) -> str:
    """The theme's optimizer key of a run's optimizer config: an objective's plain 'sgd' is full-batch GD."""
    return "gd" if opt["name"] == "sgd" else opt["name"]


def caption(words: str, width: int = 68) -> mn.Mobject:
    """A bottom caption: at most two lines of foreground text at size 28 on a dark backing."""
    m = label(textwrap.fill(words, width), size=28, color=color(theme.FOREGROUND), line_spacing=0.8)
    while m.width > mn.config.frame_width - 0.8 and width > 40:  # wide glyphs: wrap shorter, never shrink
        width -= 2
        m = label(textwrap.fill(words, width), size=28, color=color(theme.FOREGROUND), line_spacing=0.8)
    m.to_corner(mn.DL, buff=0.4)
    m.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.85, buff=0.08)
    return m


def shown_from(m: mn.Mobject, tracker: mn.ValueTracker, step: float) -> mn.Mobject:
    """Hide `m` (every part's fill and stroke opacity) until the tracker reaches `step`, else show it as built:
    a mark that appears when the path gets there, hidden from the first frame."""
    parts = [(p, p.get_fill_opacity(), p.get_stroke_opacity()) for p in m.get_family() if isinstance(p, mn.VMobject)]

    def show(_m):
        on = step - 1e-6 <= tracker.get_value()
        for p, fo, so in parts:
            p.set_fill(opacity=fo if on else 0.0, family=False)
            p.set_stroke(opacity=so if on else 0.0, family=False)
    show(m)
    m.add_updater(show)
    return m


def build_counts(n: int, slow: int, seconds: float, fps: float) -> list[int]:
    """How many of n links are down in each frame of a build lasting `seconds`: the first after one beat, the
    `slow` newest a beat each, the rest together in 1.5 beats; at least one frame, the last one whole."""
    per = seconds / (slow + 1.5)
    fast = max(n - slow, 1)
    when = np.array([per * (k + 1) if k < slow else per * (slow + 1.5 * (k - slow + 1) / fast) for k in range(n)])
    counts = [int(np.sum(when <= (f + 1) / fps + 1e-9)) for f in range(max(1, int(round(seconds * fps))))]
    counts[-1] = n
    return counts


class DescentSurface(ThemedThreeDScene):
    experiment = "descent_surface"
    plane = "pca"           # record: "pca" | "random" (network) or "bowl" | "rosenbrock" (analytic)
    heights = "slice"       # network paths: "slice" (on the drawn surface) or "true" (J at the real θₜ)
    resolution = None       # faces per side: None = the record's grid (64² network, 80² analytic)
    floor_levels = 0        # contour lines on a floor under the surface (0: none; the PCA slice, a
                            # tilted sheet seen from the side, hides its floor but for lines below it)
    floor_gap = 0.35        # scene units between the box's bottom and the contour floor
    log = True              # heights log10(loss): network losses span decades
    log_floor = 1e-4
    phi, theta = 62, -105   # camera (degrees): the valley and ★ in front, the start at the back
    end_phi, end_theta = 55, -80  # where the camera comes to rest: path and valley in view
    zoom = 0.84
    offset = (-2.2, -0.1)   # on-screen shift of the 3-D picture (scene units): left of the readouts
    orbit_rate = 0.0        # rad/s of ambient camera rotation while the path grows (a network sheet: none)
    run_time = 7.0
    intro_time = 3.0        # seconds the opening caption is read before the path starts
    shadow = False          # draw the path as its shadow on the floor, not on the surface
    stalk = True            # a line from the drawn point to the true loss (network paths off the sheet)
    axis_at = (-0.05, 1.0)  # where the loss axis stands, as a share of the box (0..1 = inside)
    axis_ticks = 0          # no loss axis (at a back corner it misread the front's heights): rings carry the losses
    stalk_side = mn.RIGHT   # where the stalk's two end labels go (scene direction): away from the path
    mark_side = mn.LEFT     # where the step-k dot's label goes (the path runs on from it down the other way)
    net_meters_at = (1.9, 2.9)  # a network sheet's readout panel (upper left corner)
    opacity = 1.0           # the sheet's opacity (1: hides what lies behind it)
    floor_color, floor_width = theme.MUTED, 1.2  # the contour floor's lines (when floor_levels > 0)
    star_label_side = None  # where ★'s words go on the surface (None: in the readout panel, never on the path)
    axis_name = None        # the ticks are losses; a name on top would reach into the title as the camera moves
    x_length = y_length = 6.5
    z_length = 5.2          # tall enough that the start's stalk reads
    ring_width, ring_opacity = 1.5, 0.45  # iso-loss rings on an analytic sheet (a network's: bolder, labelled)
    ring_lift = 0.5         # cell diagonals toward the viewer for the rings' depth order (more: drawn over steeper walls)
    counter_drawing = True  # the step counter names the step being drawn (False: the last step reached)
    marker_lift = None      # ○ and ★ in the depth order (None: on their cell; 1e4: over everything)
    hold_time = 4.0         # seconds an analytic path holds at its path_beat step
    why_time = 4.0          # seconds each closing reason is read
    takeaway_time = 3.5     # seconds the takeaway is held
    path_width, path_outline = 5.0, 3.5  # the path's stroke and its dark outline (a path on the sheet)
    label_rings = False     # an analytic sheet's rings carry their losses (a network sheet's always do)
    ring_color = theme.FOREGROUND  # an analytic sheet's iso-loss rings
    stalk_words_go = False  # a network sheet's stalk labels fade with the first closing caption (the meter has them)
    zoom_float = None       # (factor, screen spot): zoom onto the path's floating start while it is drawn
    marks_during = 1        # the `during_path` piece whose caption brings the `marks_after` (None: the first `after`)
    during_runs = False     # an analytic sheet's second caption stays up while the path runs to its first hold
    meters_at = (3.0, 2.9)  # an analytic sheet's readout panel (upper left corner)
    during_wait = 1.0       # seconds it is read at step 0 first (when during_runs)
    hold_extra = ()         # extra seconds per path hold (by index; missing: none)
    start_fill = 0.0        # the start ring's dark fill (1: the path's first steps under it are hidden)

    def construct(self):
        rec = experiments.load(self.experiment)
        surf = self.window(rec[self.plane], rec)
        xy, h, steps, opt = self.path(rec, surf)
        self.opt = opt
        true = self.true_loss(rec)
        other = self.stalk_loss(rec)
        hmap = height_map(surf.loss, log=self.log, floor=self.log_floor)
        H = hmap(surf.loss)
        z = hmap(h)
        zs = [H, z] + ([hmap(true)] if true is not None else [])
        zr = [float(min(np.min(a) for a in zs)), float(max(np.max(a) for a in zs))]
        axes = box_axes(surf.xs[[0, -1]], surf.ys[[0, -1]], zr, z_length=self.z_length, x_length=self.x_length,
                        y_length=self.y_length)
        axes.shift(0.25 * mn.OUT)  # room for the contour floor below
        self.set_camera_orientation(phi=self.phi * mn.DEGREES, theta=self.theta * mn.DEGREES, zoom=self.zoom)
        self.camera.offset = self.offset
        mesh = self.mesh(axes, surf.xs, surf.ys, H)
        t = mn.ValueTracker(0.0)
        ink = color("optimizer", optimizer_key(opt))
        if self.shadow:
            # the floor is SurfaceMesh's floor_gap below the box: the same axes, shifted down
            floor = axes.copy().shift(-self.floor_gap * mn.OUT)
            pts = np.column_stack([xy, np.full(len(xy), zr[0])])
            path = DescentPath(pts, floor, steps=steps, color=ink, tracker=t, stroke_width=4, head_radius=0.09,
                               start_marker=False)
            first = floor.c2p(*pts[0])
        else:
            k = self.colour_from(rec, steps)  # before step k the sheet's height is not the true loss: thin, white
            pts = np.column_stack([xy, z])
            path = DescentPath(pts[k:], axes, steps=steps[k:], color=ink, tracker=t, stroke_width=self.path_width,
                               head_radius=0.1, start_marker=False)
            first = axes.c2p(*xy[0], z[0])
            if k > 0:
                self.pre_path = DescentPath(pts[:k + 1], axes, steps=steps[:k + 1], color=color(theme.FOREGROUND),
                                            tracker=t, stroke_width=2.5, head_radius=0.07, start_marker=False)
        outline(path, self.path_outline)
        rim = ink if self.heights == "true" and self.is_network(rec) else color(theme.FOREGROUND)  # the meter's code
        start = mn.VGroup(*[mn.Circle(radius=0.17, stroke_color=c, stroke_width=w).move_to(first)
                            for c, w in ((color(theme.BACKGROUND), 7), (rim, 3.5))])
        start[0].set_fill(color(theme.BACKGROUND), opacity=self.start_fill)
        x, y, v = grid_minimum(surf.xs, surf.ys, surf.loss)
        star = marker(axes.c2p(x, y, float(hmap(np.array([v]))[0])), radius=0.3 if self.is_network(rec) else 0.24,
                      hollow=True)
        plate, floor_marks = [], []
        if self.shadow:  # the floor: a plate with a border and its name, a dashed drop from ★ to it
            c = [floor.c2p(a, b, zr[0]) for a, b in ((surf.xs[0], surf.ys[0]), (surf.xs[-1], surf.ys[0]),
                                                     (surf.xs[-1], surf.ys[-1]), (surf.xs[0], surf.ys[-1]))]
            plate = [mn.Polygon(*c, stroke_color=color(theme.MUTED), stroke_width=2,
                                fill_color=color(theme.GRID), fill_opacity=0.55)]
            plate[0].shade_in_3d = True  # drawn before the sheet: under it
            star = marker(floor.c2p(x, y, zr[0]), radius=0.2, hollow=True)  # ★ on the floor's map, beside the shadow
            name = label("floor: the path's shadow", size=28, color=color(theme.FOREGROUND))
            self.camera.reset_rotation_matrix()  # the orientation set above (the camera updates it per frame)
            corners = np.asarray(self.camera.project_points(np.array(c, float)), float)[:, :2]
            low = corners[np.argsort(corners[:, 1])[:2]]  # the front edge, on screen
            right = low[np.argmax(low[:, 0])]
            name.move_to([right[0] - 0.25 - name.width / 2, right[1] + 0.3, 0])  # on it, by its front corner
            name.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.7, buff=0.04)
            floor_marks = [name]
        net = self.is_network(rec)
        in_panel = self.star_label_side is None
        star_words = label(("★ " if in_panel else "") + self.minimum_words(surf, v), size=28 if in_panel else 24,
                           color=color(theme.FOREGROUND))
        if not in_panel:
            star_words.next_to(star, self.star_label_side, buff=0.45)
            star_words.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.7, buff=0.05)
        # iso-loss rings on the sheet and a loss axis beside it: a height reads as a loss
        ring_levels = self.ring_levels(surf, hmap, zr)
        # a network sheet has no loss axis: its rings are drawn bolder and each carries its loss
        rings = level_rings(axes, surf.xs, surf.ys, surf.loss, hmap, ring_levels,
                            width=3.0 if net else self.ring_width, opacity=0.8 if net else self.ring_opacity,
                            color=theme.FOREGROUND if net else self.ring_color)
        ring_words = self.ring_labels(axes, surf, hmap, ring_levels, xy) if net or self.label_rings else []
        self._tracker, self._hmap, self._z = t, hmap, z  # for marks_after's marks that show as the path gets there
        self.after_marks = self.marks_after(rec, axes, xy, z, steps)
        self.stray = self.stray_marks(rec, axes, xy, z, steps) if net else []
        for m in [*self.after_marks, *self.stray]:
            mesh.occlude(m[0], lift=1e4)  # a mark on the path is drawn over it
        corner = [a[0] + f * (a[-1] - a[0]) for a, f in zip((surf.xs, surf.ys), self.axis_at)]
        ax_line, ax_marks, ax_labels = height_axis(axes, corner, decade_ticks(hmap, zr, most=self.axis_ticks)
                                                   if self.axis_ticks else [], label, size=28 if net else 24,
                                                   name=self.axis_name)
        mesh.occlude(*rings, lift=self.ring_lift)
        mesh.occlude(ax_line, ax_marks, lift=0.5)
        # a shadow on the floor is drawn over the sheet above it (it is the point of the picture)
        mesh.occlude(path, jump=self.jump(axes), lift=1e4 if self.shadow else 2.0)
        pre = [self.pre_path] if getattr(self, "pre_path", None) is not None else []
        for m in pre:
            mesh.occlude(m, jump=self.jump(axes), lift=2.0)
        lift = self.marker_lift if self.marker_lift is not None else (1e4 if self.shadow or net else 3.0)
        mesh.occlude(start, star, lift=lift)  # a marker stands on the surface: over its cell
        self.zoom_hide = [*ring_words, *ax_labels]  # labels a zoom would push off the frame
        guides, guide_labels = self.guides(axes, surf, hmap)
        for g in guides:
            mesh.occlude(g, lift=1.0)
        marks = [start, star, *([] if in_panel else [star_words]), *ax_labels, *guide_labels, *ring_words]
        stalk = self.make_stalk(axes, xy, z, hmap(other) if other is not None else None, steps, t)
        if stalk is not None:
            mesh.occlude(stalk[0], lift=3.0)
            if net:  # its two ends named: the two losses it joins
                stalk.add(self.stalk_words(rec, axes, xy, z, hmap(other)))
                marks.extend(stalk[-1])  # each faces the camera about its own centre
        for m in marks:  # a label with an anchor keeps its on-screen offset from it at any zoom
            a = getattr(m, "anchor", None)
            self.add_fixed_orientation_mobjects(m, **({} if a is None else {"center_func": (lambda a=a: a)}))
        title = heading(self.title(surf), size=30, buff=0.2)
        counter = StepCounter(t, total=int(steps[-1]), size=28, drawing=self.counter_drawing)
        loss = self.loss_readout(rec, t, steps, h)
        meters = self.arrange_meters(counter, loss, star_words if in_panel and not net else None, net)
        extra = self.side(rec, t, steps)
        self.add_fixed_in_frame_mobjects(title, meters, *extra, *floor_marks)
        self.add(*plate, mesh, *rings, ax_line, ax_marks, *guides, *pre, path,
                 *([stalk] if stalk is not None else []), *marks)
        if net:
            extras = self.path_extras(rec, axes, xy, z, hmap(other) if other is not None else None, steps, t)
            for m in extras:
                mesh.occlude(m, lift=1e4 if self.shadow else 2.5)
            self.add(*extras)
            self.play_network(rec, surf, v, t, self.net_warp(rec, xy, z, steps, surf), stalk)
            return
        for m in self.after_marks:  # an analytic sheet's marks show themselves as the path gets there
            self.add(m[0])
            self.add_fixed_orientation_mobjects(m[1])
        beats = [b for b in (self.intro(rec, surf), self.during(rec, surf, v)) if b]
        shown = None
        if beats:  # the opening caption is there from the first frame (a still of the set-up)
            shown = caption(beats[0])
            self.add_fixed_in_frame_mobjects(shown)
            self.wait(self.intro_time + 0.5)
            self.pause("intro-read")
        warp = self.warp(xy, steps, surf)
        t.set_value(warp.first_step)
        if len(beats) > 1:  # captions cut from one to the next (never two at once, never half faded)
            nxt = caption(beats[1])
            self.remove(shown)
            self.add_fixed_in_frame_mobjects(nxt)
            # read at step 0, or (during_runs) partly while the first steps are drawn
            self.wait(self.during_wait if self.during_runs else self.intro_time * 0.7 + 0.7)
            shown = nxt
        self.begin_ambient_camera_rotation(rate=self.orbit_rate)
        holds = self.path_beats(rec, surf, v)
        grid = np.linspace(0.0, warp.run_time, 801)
        t0 = 0.0
        for i, (k, words) in enumerate(holds):  # the path stops at step k, its caption is read, then runs on
            tk = float(grid[int(np.argmax([float(warp.step_at(x)) >= k - 1e-9 for x in grid]))])
            self.play(warp.segment(t, t0, tk))
            t.set_value(float(k))  # held on step k itself (the counter and the caption name the same step)
            self.update_mobjects(0)  # a wait without time-based updaters would freeze the frame before it
            self.stop_ambient_camera_rotation()
            nxt = caption(words)
            if shown is not None:
                self.remove(shown)
            self.add_fixed_in_frame_mobjects(nxt)
            shown = nxt
            self.hold_swap(i, True)
            self.pause("path-hold" if i == 0 else f"path-hold-{i}")
            shown = self.hold_play(rec, i, self.hold_time + (self.hold_extra[i] if i < len(self.hold_extra) else 0.0),
                                   shown)
            self.hold_swap(i, False)
            after = self.hold_after(rec, i)
            if after:  # what it says holds at step k only: the run on from there shows its own caption
                self.remove(shown)
                shown = caption(after)
                self.add_fixed_in_frame_mobjects(shown)
            self.begin_ambient_camera_rotation(rate=self.orbit_rate)
            t0 = tk
        self.play(warp.segment(t, t0, warp.run_time))
        self.stop_ambient_camera_rotation()
        self.pause("path-drawn")
        if (self.end_phi, self.end_theta) != (self.phi, self.theta):
            self.move_camera(phi=self.end_phi * mn.DEGREES, theta=self.end_theta * mn.DEGREES, run_time=2)
        why = self.why(rec, surf, v)
        if holds and why == holds[-1][1]:
            why = None  # already read at the hold
        if why:
            for i, w in enumerate(why if isinstance(why, list) else [why]):  # one or more closing reasons
                words = caption(w)
                if shown is not None:
                    self.remove(shown)
                self.add_fixed_in_frame_mobjects(words)
                if i:
                    self.pause(f"why-{i}")
                self.wait(self.why_time)
                shown = words
        else:
            self.wait(0.5)
        last = self.takeaway(rec, surf, v)
        if last:  # one plain sentence to end on, held
            words = caption(last)
            if shown is not None:
                self.remove(shown)
            self.add_fixed_in_frame_mobjects(words)
            self.pause("takeaway")
            self.wait(self.takeaway_time)

    def hold_swap(self, i: int, on: bool):
        """What shows beside the caption only while the path holds at its hold `i` (on: the hold starts; none
        here: a variant adds a close-up)."""

    def hold_play(self, rec, i: int, seconds: float, shown: mn.Mobject) -> mn.Mobject:
        """What plays while the path holds at hold `i` with caption `shown` on screen (here: nothing moves, the
        caption is read; a variant builds its close-up in that time and may change the caption): returns the
        caption on screen at the end."""
        self.wait(seconds)
        return shown

    def hold_after(self, rec, i: int) -> str | None:
        """The caption read while the path runs on from hold `i`, replacing that hold's own (it held at its step
        only); None: the hold's caption stays to the next."""
        return None

    def arrange_meters(self, counter, loss, star_words, net: bool) -> mn.VGroup:
        """The readout panel: the step counter, the loss and ★'s words in a column, its upper left corner
        at `meters_at` (readouts grow to the right: room for "3.6·10⁻⁵")."""
        meters = mn.VGroup(counter, *([loss] if loss is not None else []),
                           *([star_words] if star_words is not None else [])).arrange(mn.DOWN, aligned_edge=mn.LEFT,
                                                                                     buff=0.12)
        at = self.net_meters_at if net else self.meters_at
        meters.move_to([*at, 0], aligned_edge=mn.UL)
        return meters

    def play_network(self, rec, surf, v, t, warp, stalk):
        """A network sheet, one idea per caption: what the sheet is (before the path moves), then the
        path runs in pieces, one caption each (the one naming the stalk makes it pulse), then why it
        ends where it does, then the takeaway, held. The camera stays put: the path is the motion."""
        shown = None
        hold = self.intro_time

        def swap(words, *extra):
            nonlocal shown
            new = caption(words)
            if shown is not None:
                self.play(fade_out(shown), run_time=0.15)  # never two captions at once
            self.add_fixed_in_frame_mobjects(new)
            self.play(fade_in(new), *extra, run_time=0.2)  # copy-free fades: a caption is many glyphs
            shown = new

        before = self.before(rec, surf, v)
        for i, words in enumerate(before):
            pulse = [stalk[-1].animate(rate_func=mn.there_and_back).scale(1.3)] if (
                stalk is not None and "stalk" in words) else []  # the stalk's words pulse once
            swap(words, *pulse)
            if self.zoom_float and i == len(before) - 1:  # a closer look at the floating start, still parked
                self.play(*[fade_out(m) for m in self.zoom_hide], run_time=0.3)
                self.zoom_on(self.float_focus, *self.zoom_float, 1.0)
            self.wait(hold)
        self.pause("intro-read")
        t.set_value(warp.first_step)
        during = self.during_path(rec, surf, v) or [None]
        ends = self.during_ends(rec, len(during))
        if ends is None:  # equal pieces of the warped time
            cuts = np.linspace(0.0, warp.run_time, len(during) + 1)
        else:  # each piece ends where the warp first shows its step
            cuts = [0.0] + [float(warp.time_at(e)) for e in ends]
        for k, words in enumerate(during):
            marks = self.after_marks if k == self.marks_during else []
            for m in marks:  # the dot and its label face the camera, placed from the dot at any zoom
                a = getattr(m[1], "anchor", None)
                for part in m:
                    self.add_fixed_orientation_mobjects(part, **({} if a is None else {"center_func": (lambda a=a: a)}))
            if words:
                pulse = [stalk[-1].animate(rate_func=mn.there_and_back).scale(1.3)] if (
                    stalk is not None and "stalk" in words) else []  # the stalk's words pulse once
                swap(words, *pulse, *[fade_in(m) for m in marks])
            if marks:  # the path stops at the marked step while its caption is read
                self.pause("path-hold")
                self.wait(hold)
            if k == 1 and self.zoom_float:
                self.zoom_on(None, 1.0, None, 1.0)
                self.play(*[fade_in(m) for m in self.zoom_hide], run_time=0.3)
            self.play(warp.segment(t, cuts[k], cuts[k + 1]))
        self.pause("path-drawn")
        self.wait(min(0.5, hold))  # the finished path, seen before the closing captions (brief in a render test)
        for k, words in enumerate(self.after(rec, surf, v)):
            marks = (self.after_marks if k == 0 and self.marks_during is None else []) + (self.stray if k == 0 else [])
            for m in marks:  # the mark and its label face the camera (added as they fade in)
                a = getattr(m[1], "anchor", None)
                for part in m:
                    self.add_fixed_orientation_mobjects(part, **({} if a is None else {"center_func": (lambda a=a: a)}))
            gone = [fade_out(stalk[-1])] if k == 0 and stalk is not None and self.stalk_words_go else []
            swap(words, *[fade_in(m) for m in marks], *gone)  # the meter has taken over the stalk's numbers
            self.wait(hold)
        words = self.takeaway(rec, surf, v)
        if words:
            swap(words)
            self.wait(2.5 if hold >= 1 else hold + 0.3)  # the closing line, held

    def zoom_on(self, point, factor, spot, run_time):
        """Zoom the 3-D picture by `factor` (of the scene's zoom) so that `point` moves to screen position
        `spot`; zoom_on(None, 1.0, None, …) goes back. Text stays put (titles, readouts, captions)."""
        cam = self.camera
        z0, off0 = float(cam.zoom_tracker.get_value()), np.array(cam.offset, float)
        if point is None:
            z1, off1 = float(self.zoom), np.array(self.offset, float)
        else:
            s0 = np.asarray(cam.project_points(np.array([point], float))[0][:2], float)
            z1 = float(self.zoom) * factor
            off1 = np.asarray(spot, float) - z1 * (s0 - off0) / z0  # the projection scales with the zoom
        k = mn.ValueTracker(0.0)

        def follow(m):
            a = m.get_value()
            cam.zoom_tracker.set_value(z0 + (z1 - z0) * a)
            cam.offset = tuple(off0 + (off1 - off0) * a)
        k.add_updater(follow)
        self.add(k)
        self.play(k.animate.set_value(1.0), run_time=run_time)
        k.clear_updaters()
        self.remove(k)

    def colour_from(self, rec, steps) -> int:
        """The index from which a path drawn on a fitted sheet takes its run's colour: where the sheet's height
        is the true loss (within 7 %); before it, a thin white line (0: the whole path in colour)."""
        if not self.is_network(rec) or self.plane != "pca" or self.heights != "slice":
            return 0
        return int(np.searchsorted(np.asarray(steps, float), self.agree_from(rec)))

    def during_ends(self, rec, n: int):
        """The step at which each `during_path` piece ends (None: n equal pieces of the warped time): for a
        fitted sheet, at the step from which the two losses agree (held there, marked), then the end."""
        if self.plane != "pca":
            return None
        return [self.agree_from(rec), float(rec[f"{self.plane}_path"].steps[-1])]

    def net_warp(self, rec, xy, z, steps, surf) -> TimeWarp:
        """A network sheet's time warp (a variant may measure progress on its drawn heights too)."""
        return self.warp(xy, steps, surf)

    def path_extras(self, rec, axes, xy, z, other, steps, tracker) -> list:
        """3-D marks that grow with a network path (occluded by the sheet like the path)."""
        return []

    def is_network(self, rec) -> bool:
        """A network path (true loss recorded beside the sheet's): the captioned, fixed-camera flow."""
        return self.true_loss(rec) is not None

    def movement_share(self, rec) -> float:
        """The share of the path's movement that lies in this sheet (`descent_views.sheet_share`)."""
        return sheet_share(rec[f"{self.plane}_path"])

    def weights(self, rec) -> int:
        return int(np.asarray(rec["run"].thetas).shape[1])

    def before(self, rec, surf, v) -> list:
        """Captions read before the path moves: what the sheet is, in plain words; for the fitted sheet,
        where the start lies and the stalk its steep loss leaves (the dot parked at the start)."""
        n = self.weights(rec)
        p = rec[f"{self.plane}_path"]
        off, dist = self.start_offsets(rec)
        return [f"Training moves all {n} weights at once. We can't draw {n}-D, so we cut a flat sheet through "
                f"weight space: height = loss (log scale).", self.fit_words(rec),
                f"But the loss is steep off the sheet: {off:.1f} off it, the start's true loss is "
                f"{p.true_loss[0]:.2f}; the sheet under it reads {p.plane_loss[0]:.2f} (the stalk)."]

    def during_path(self, rec, surf, v) -> list:
        """Captions read while the path runs (pieces ending at `during_ends`, one per caption)."""
        return ["Now the path runs. Watch the meter: the true loss at the dot falls onto the sheet's.",
                self.closed_words(rec)]

    def closed_words(self, rec) -> str:
        k = self.agree_from(rec)
        p = rec[f"{self.plane}_path"]
        off = float(np.asarray(p.off_plane)[int(np.searchsorted(p.steps, k))])
        return (f"By step {k} (●) the losses agree within 7 %: the path is still {off:.1f} off the sheet, but "
                f"the loss is flat that way now.")

    def fit_words(self, rec) -> str:
        off, dist = self.start_offsets(rec)
        return (f"The sheet follows the two directions the weights moved most: the start lies {dist:.1f} "
                f"from the end, only {off:.1f} off the sheet.")

    def start_offsets(self, rec) -> tuple[float, float]:
        """(distance off the sheet, distance to the end point) of the path's start in weight space
        (`descent_views.start_offsets`): the numbers the captions and the still state."""
        return start_offsets(rec[f"{self.plane}_path"])

    def after(self, rec, surf, v) -> list:
        """Captions after the path: why it ends where it does."""
        p = rec[f"{self.plane}_path"]
        k = int(np.searchsorted(p.steps, p.steps[-1] - 50))
        return [f"The loss still fell when the {p.steps[-1]} steps ran out ({p.true_loss[k]:.3f} → "
                f"{p.true_loss[-1]:.3f} in the last {int(p.steps[-1] - p.steps[k])}). ★ is the lowest point of "
                f"the drawn square" + (", on its edge." if at_window_edge(surf) else ".")]

    def path_beat(self, rec, surf, v):
        """(step, caption): where an analytic path holds while its caption is read (None: no hold)."""
        return None

    def path_beats(self, rec, surf, v) -> list:
        """[(step, caption), …] in step order: every hold of an analytic path (default: `path_beat`'s)."""
        one = self.path_beat(rec, surf, v)
        return [] if one is None else [one]

    def ring_levels(self, surf, hmap, zr) -> list[float]:
        """The losses of the iso-loss rings on the sheet (whole decades on a log sheet)."""
        return [v_ for v_, _ in decade_ticks(hmap, zr, most=6) if v_ > 0]

    def takeaway(self, rec, surf, v) -> str | None:
        """The closing sentence, held (None: no closing line)."""
        if not self.is_network(rec):
            return None
        return (f"Takeaway: the sheet shows the valley training took; its height is the true loss within 7 % "
                f"from step {self.agree_from(rec)} on, not at the start.")

    def agree_from(self, rec, tol: float = 0.07) -> int:
        """The first recorded step from which the sheet's loss stays within `tol` (relative) of the true loss."""
        p = rec[f"{self.plane}_path"]
        g = np.abs(np.asarray(p.true_loss) - np.asarray(p.plane_loss)) / np.asarray(p.true_loss)
        bad = np.flatnonzero(g > tol)
        return int(p.steps[bad[-1] + 1]) if bad.size else int(p.steps[0])

    def marks_after(self, rec, axes, xy, z, steps) -> list:
        """(mark, label) groups that appear with the `marks_during` caption: on a fitted sheet, a filled dot
        on the path at the step from which the true loss and the sheet's agree, outlined, facing the camera
        and over everything, labelled beside it (the caption's ●)."""
        if self.plane != "pca":
            return []
        k = int(np.searchsorted(np.asarray(steps, float), self.agree_from(rec)))
        q = np.asarray(axes.c2p(*xy[k], z[k]), float)
        fill = self.mark_ink(rec)  # on a path at its true loss: the true loss's colour (white means the sheet)
        dot = mn.VGroup(mn.Dot(q, radius=0.15, color=color(theme.BACKGROUND)), mn.Dot(q, radius=0.11, color=fill))
        words = label(f"step {int(steps[k])}", size=28, color=color(theme.FOREGROUND))
        words.move_to(q).shift((0.3 + words.width / 2) * self.mark_side)
        words.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.7, buff=0.04)
        words.anchor = q  # its on-screen offset from the dot holds at any zoom
        return [mn.VGroup(dot, words)]

    def stray_marks(self, rec, axes, xy, z, steps) -> list:
        """(mark, label) groups shown with the first `after` caption (none here)."""
        return []

    def mark_ink(self, rec):
        """The fill of a mark on the path: the path's colour where the path is drawn at its true loss."""
        if self.heights == "true":
            return color("optimizer", optimizer_key(rec["run"].config["optimizer"]))
        return color(theme.FOREGROUND)

    def ring_labels(self, axes, surf, hmap, levels, xy) -> list:
        """One label per iso-loss ring ('loss 0.1'), at the ring's point nearest the camera that keeps
        clear of the path, ★ and the window's edges (the camera does not move on a network sheet)."""
        import contourpy
        Z = np.asarray(surf.loss, float)
        gen = contourpy.contour_generator(x=surf.xs, y=surf.ys, z=np.where(np.isfinite(Z), Z, np.nanmax(Z)))
        span = np.array([np.ptp(surf.xs), np.ptp(surf.ys)])
        lo = np.array([surf.xs[0], surf.ys[0]])
        path_n = (np.asarray(xy, float) - lo) / span
        x, y, _ = grid_minimum(surf.xs, surf.ys, Z)
        keep_off = np.vstack([path_n, [(np.array([x, y]) - lo) / span]])
        ph, th = np.radians(self.phi), np.radians(self.theta)
        eye = np.array([np.sin(ph) * np.cos(th), np.sin(ph) * np.sin(th), np.cos(ph)])
        out = []
        for lev in levels:
            h = float(np.ravel(hmap(np.array([lev])))[0])
            pts = [q for ln in gen.lines(float(lev)) for q in ln]
            if not pts:
                continue
            pts = np.asarray(pts, float)
            n = (pts - lo) / span
            clear = np.min(np.linalg.norm(n[:, None, :] - keep_off[None, :, :], axis=2), axis=1)
            inside = np.min(np.minimum(n, 1 - n), axis=1)
            ok = (clear > 0.18) & (inside > 0.08)  # a label is wide: well clear of the path
            if not ok.any():  # a small ring (round ★): its point farthest from the path and ★, if clear enough
                ok = (clear >= clear.max() - 1e-12) & (clear > 0.06) & (inside > 0.02)
            if not ok.any():
                continue
            scene = np.array([axes.c2p(a, b, h) for a, b in pts[ok]])
            front = scene @ eye
            q = scene[int(np.argmax(clear[ok] + 0.05 * (front - front.min()) / (np.ptp(front) + 1e-12)))]
            words = label(f"loss {loss_tick_text(lev)}", size=28, color=color(theme.FOREGROUND))
            words.move_to(q).shift(0.35 * mn.OUT)
            words.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.6, buff=0.04)
            out.append(words)
        return out

    def stalk_words(self, rec, axes, xy, z, other) -> mn.VGroup:
        """'true 0.94' at the stalk's upper end and 'sheet 0.39' at its foot, beside it."""
        p = rec[f"{self.plane}_path"]
        a, b = np.asarray(axes.c2p(*xy[0], z[0]), float), np.asarray(axes.c2p(*xy[0], other[0]), float)
        top, foot = (a, b) if a[2] > b[2] else (b, a)
        up = label(f"true {p.true_loss[0]:.2f}", size=28, color=color(theme.FOREGROUND))
        down = label(f"sheet {p.plane_loss[0]:.2f}", size=28, color=color(theme.FOREGROUND))
        for w, q in ((up, top), (down, foot)):
            w.move_to(q).shift((0.5 + w.width / 2) * self.stalk_side + (0.12 if q is top else -0.12) * mn.OUT)
            w.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.7, buff=0.04)
            w.anchor = np.asarray(q, float)  # placed on screen from its end of the stalk (at any zoom)
            w.shift(-(0.12 if q is top else -0.12) * mn.OUT)
        return mn.VGroup(up, down)

    # ------------------------------------------------------------------ what a variant changes
    def window(self, surf, rec):
        """The part of the recorded grid drawn (a variant may zoom in on its path)."""
        return surf

    def true_loss(self, rec):
        """The true loss J(θₜ) along a network path (None for an analytic surface: the path is on it)."""
        p = rec.get(f"{self.plane}_path") if hasattr(rec, "get") else None
        return None if p is None else np.asarray(p.true_loss, float)

    def stalk_loss(self, rec):
        """The loss at the stalk's other end: the true loss for a path drawn on the sheet, the sheet's
        loss for a path drawn at its true loss (None: no stalk)."""
        p = rec.get(f"{self.plane}_path") if hasattr(rec, "get") else None
        if p is None or self.shadow or not self.stalk:
            return None
        return np.asarray(p.true_loss if self.heights == "slice" else p.plane_loss, float)

    def make_stalk(self, axes, xy, z, other, steps, tracker):
        """A line at the start from the drawn point to the height of the other loss (true or sheet's),
        outlined, with a ring at its far end: the gap the sheet leaves where the path lies off it. It
        stays for the whole video, as long as the caption that points at it."""
        if other is None:
            return None
        a, b = np.asarray(axes.c2p(*xy[0], z[0]), float), np.asarray(axes.c2p(*xy[0], other[0]), float)
        line = mn.Line(a, b, stroke_color=color(theme.FOREGROUND), stroke_width=4)
        outline(line, 3.0)
        if self.heights == "slice":  # the far end is the true loss: a ring in the path's colour, as on the meter
            ink = color("optimizer", optimizer_key(self.opt))
            tip = mn.VGroup(*[mn.Circle(radius=0.14, stroke_color=c, stroke_width=w).move_to(b)
                              for c, w in ((color(theme.BACKGROUND), 7), (ink, 4))])
        else:  # the far end is the sheet's loss: a white dot, as on the meter
            tip = mn.VGroup(mn.Dot(b, radius=0.11, color=color(theme.BACKGROUND)),
                            mn.Dot(b, radius=0.08, color=color(theme.FOREGROUND)))
        self.add_fixed_orientation_mobjects(tip)
        return mn.VGroup(line, tip)

    def loss_readout(self, rec, tracker, steps, heights):
        """The loss at the step being drawn: for a network path, its true loss J(θₜ) and the loss of the
        sheet under it (the height drawn on the surface), which differ where the path is off the plane."""
        p = rec.get(f"{self.plane}_path") if hasattr(rec, "get") else None
        s = np.asarray(steps, float)

        def readout(name, vals, fmt=loss_text):
            vals = np.asarray(vals, float)
            return Readout(tracker, lambda x: f"{name} {fmt(vals[min(int(np.searchsorted(s, x - 1e-9)), len(vals) - 1)])}",
                           size=28, color=color(theme.FOREGROUND))
        if p is None:
            return readout("loss", heights)
        if self.shadow:
            return readout("true loss", p.true_loss, lambda v: f"{v:.3g}")  # as ★'s: 0.0137 next to 0.0136
        # the gap meter beside the sheet shows both losses at the dot; here how far the dot is off the sheet
        return readout("path off the sheet:", p.off_plane, lambda v: f"{v:.1f}")

    def intro(self, rec, surf) -> str | None:
        """An analytic surface's opening caption (a network sheet reads `before` instead)."""
        return None

    def during(self, rec, surf, v) -> str | None:
        """An analytic surface's second caption, read before its path runs."""
        return None

    def why(self, rec, surf, v) -> str | None:
        """An analytic surface's closing reason, after the path."""
        return None

    @classmethod
    def warp(cls, xy, steps, surf) -> TimeWarp:
        """Video time follows the drawn path's length on the plane (a log-step clock as a floor),
        not raw steps: most of the distance is covered in the first steps."""
        return TimeWarp.from_progress(path_progress(xy, steps, [surf.xs[[0, -1]], surf.ys[[0, -1]]],
                                                    [np.ptp(surf.xs), np.ptp(surf.ys)]), cls.run_time,
                                      last_step=float(steps[-1]))

    def mesh(self, axes, xs, ys, H):
        """The surface mobject (a hook: bench/bench_surface.py swaps in manim.Surface for 'before')."""
        return SurfaceMesh(axes, xs, ys, H, resolution=self.resolution, mesh_every=0, opacity=self.opacity,
                           floor_color=self.floor_color, floor_width=self.floor_width,
                           floor_levels=self.floor_levels, floor_gap=self.floor_gap, light=0.5,
                           colors=theme.SURFACE_RAMP_MUTED)

    def jump(self, axes):
        """Steps longer than this (scene units) are drawn dashed: a jump, not a route."""
        return 1.2

    def side(self, rec, tracker, steps):
        """Beside a network sheet: the gap meter (true loss and the sheet's at the dot, on a log scale)."""
        if not self.is_network(rec) or self.shadow:
            return []
        return [self.gap_meter(rec[f"{self.plane}_path"], tracker,
                               ink=color("optimizer", optimizer_key(rec["run"].config["optimizer"])))]

    def gap_meter(self, p, tracker, lo=0.005, hi=1.5, height=2.7, at=(3.7, -2.25), ink=None) -> mn.VGroup:
        """A log loss scale (1 / 0.1 / 0.01) with the dot's true loss (ring) and the sheet's loss under it
        (dot) joined by a stalk, both named with their values, following the step drawn: at the start the
        stalk's gap, closing as the path descends. The true loss's ring is drawn in the path's colour `ink`."""
        fg = color(theme.FOREGROUND)
        ink = fg if ink is None else ink
        s = np.asarray(p.steps, float)
        x0, y0 = at
        ymap = lambda v: y0 + height * (np.log10(v) - np.log10(lo)) / (np.log10(hi) - np.log10(lo))  # noqa: E731
        axis = mn.Line([x0, y0, 0], [x0, y0 + height, 0], stroke_color=fg, stroke_width=2.5)
        ticks = mn.VGroup()
        for v in (0.01, 0.1, 1.0):
            y = ymap(v)
            ticks.add(mn.Line([x0 - 0.1, y, 0], [x0, y, 0], stroke_color=fg, stroke_width=2.5),
                      label(loss_tick_text(v), size=28, color=fg).next_to([x0 - 0.1, y, 0], mn.LEFT, buff=0.1))
        head = label("loss at the dot (log)", size=28, color=fg).next_to(axis, mn.UP, buff=0.15)
        head.align_to(ticks, mn.LEFT)
        xm = x0 + 0.5

        def at_step(vals):
            vals = np.asarray(vals, float)
            return lambda: float(vals[min(int(np.searchsorted(s, tracker.get_value() - 1e-9)), len(vals) - 1)])
        true, sheet = at_step(p.true_loss), at_step(p.plane_loss)
        stalk = mn.Line([xm, ymap(0.5), 0], [xm, ymap(0.4), 0], stroke_color=fg, stroke_width=5)
        stalk.add_updater(lambda m: m.put_start_and_end_on([xm, ymap(sheet()), 0], [xm, ymap(true()) + 1e-4, 0]))
        ring = mn.VGroup(*[mn.Circle(radius=0.19, stroke_color=c, stroke_width=w)
                           for c, w in ((color(theme.BACKGROUND), 8), (ink, 5))])
        ring.add_updater(lambda m: m.move_to([xm, ymap(true()), 0]))
        dot = mn.Dot(radius=0.11, color=fg, stroke_color=color(theme.BACKGROUND), stroke_width=2)
        dot.add_updater(lambda m: m.move_to([xm, ymap(sheet()), 0]))
        up = Readout(tracker, lambda _: f"true {loss_text(true())}", size=28, color=ink)
        down = Readout(tracker, lambda _: f"sheet {loss_text(sheet())}", size=28, color=fg)

        def place(m, top):  # beside its marker, the two never closer than one line apart
            a, b = ymap(true()), ymap(sheet())
            mid = (a + b) / 2
            y = max(a, mid + 0.2) if top else min(b, mid - 0.2)
            m.move_to([xm + 0.35 + m.width / 2, y, 0])
        up.add_updater(lambda m: place(m, True))
        down.add_updater(lambda m: place(m, False))
        for m in (stalk, ring, dot, up, down):
            m.update()
        return mn.VGroup(axis, ticks, head, stalk, ring, dot, up, down)

    def guides(self, axes, surf, hmap):
        """Extra 3-D lines drawn on the surface (occluded like the path) and their labels (facing the camera)."""
        return [], []

    def minimum_words(self, surf, v):
        """★'s words in the readout: the lowest loss drawn (the closing caption says when it is on the edge)."""
        return f"lowest in view: {v:.3g}"

    def title(self, surf):
        return {"pca": "A small net's loss along its path's two main directions",
                "random": "A small net's loss along two random directions"}.get(
                    surf.method, f"The {self.plane.capitalize()} surface with a descent path")

    def path(self, rec, surf):
        """(plane coordinates, heights, steps, optimizer config) of the network path on this plane."""
        p = rec[f"{self.plane}_path"]
        return p.coords, path_heights(p, self.heights), p.steps.astype(float), rec["run"].config["optimizer"]


class DescentSurfaceTrue(DescentSurface):
    """The same sheet with the path drawn at its true loss: it floats above the sheet at the start, where the
    loss is steep off the sheet; drop lines from the path to the sheet show the gap closing by step k; the
    path stops there (marked) while the caption is read, then runs on at the sheet's height."""

    heights = "true"
    offset = (-2.7, -0.2)
    phi, theta = 66, -84    # the sheet's long direction across the screen: the drop lines stand clear of the path
    stalk_side = mn.RIGHT   # the start's labels on the side away from the path
    stalk_words_go = False
    marks_during = 1        # the step-k dot comes with the second caption, the path held there
    zoom_float = (2.0, (-1.7, 1.2))  # the floating steps, magnified, clear of the readouts and the caption

    def before(self, rec, surf, v):
        p = rec[f"{self.plane}_path"]
        off, dist = self.start_offsets(rec)
        return ["Same sheet as before; now the path is drawn at its true loss: where that is higher than the "
                "sheet's, the path floats above the sheet.",
                f"The start lies {off:.1f} off the sheet ({dist:.1f} from the end), where the loss is steep: "
                f"it floats at {p.true_loss[0]:.2f} over the sheet's {p.plane_loss[0]:.2f}."]

    def during_path(self, rec, surf, v):
        return ["The path runs. The lines drop from it to the sheet: watch the gap between them close.",
                self.closed_words(rec)]

    float_share = 0.4       # of the path's run time: the floating steps up to step k (the scene's point)

    def net_warp(self, rec, xy, z, steps, surf) -> TimeWarp:
        """Progress on the path as drawn (its length on the sheet and its drop in height, each as a share
        of the box's side), then re-timed so the floating steps up to step k take `float_share` of the time."""
        return self.float_warp(xy, z, steps, surf, self.agree_from(rec))

    @classmethod
    def float_warp(cls, xy, z, steps, surf, k) -> TimeWarp:
        span = [np.ptp(surf.xs), np.ptp(surf.ys), max(float(np.ptp(z)), 1e-12)]
        pts = np.column_stack([xy, z])
        lo_hi = [surf.xs[[0, -1]], surf.ys[[0, -1]], [float(np.min(z)) - 1.0, float(np.max(z)) + 1.0]]
        w = TimeWarp.from_progress(path_progress(pts, steps, lo_hi, span), cls.run_time, last_step=float(steps[-1]))
        grid = np.linspace(0.0, w.run_time, 1601)
        at = np.asarray(w.step_at(grid), float)
        tk = float(w.time_at(k))
        if not 0 < tk < w.run_time:
            return w
        t0 = cls.float_share * w.run_time
        times = np.where(grid <= tk, grid * t0 / tk, t0 + (grid - tk) * (w.run_time - t0) / (w.run_time - tk))
        return TimeWarp(times, at, last_step=w.last_step)

    def title(self, surf):
        return "The same sheet, the path drawn at its TRUE loss"

    def after(self, rec, surf, v):
        k = self.agree_from(rec)
        j, off = self.stray_at(rec)
        p = rec[f"{self.plane}_path"]
        i = int(np.searchsorted(p.steps, j))
        return [f"After step {k} the path strays as far as {off:.1f} off the sheet (step {j}, ○), yet true "
                f"{p.true_loss[i]:.2f} vs sheet {p.plane_loss[i]:.2f}: the loss is flat that way."]

    def stray_at(self, rec) -> tuple[int, float]:
        """(step, distance): where the path lies farthest off the sheet from step `agree_from` on (weight space)."""
        p = rec[f"{self.plane}_path"]
        st = np.asarray(p.steps)
        i = np.flatnonzero(st >= self.agree_from(rec))
        j = int(i[np.argmax(np.asarray(p.off_plane, float)[i])])
        return int(st[j]), float(p.off_plane[j])

    def stray_marks(self, rec, axes, xy, z, steps):
        """A ring on the path where it lies farthest off the sheet after step k, labelled with its step."""
        j, _ = self.stray_at(rec)
        i = int(np.searchsorted(np.asarray(steps, float), j))
        q = np.asarray(axes.c2p(*xy[i], z[i]), float)
        ring = mn.VGroup(*[mn.Circle(radius=0.16, stroke_color=c, stroke_width=w).move_to(q)
                           for c, w in ((color(theme.BACKGROUND), 8), (self.mark_ink(rec), 4))])
        words = label(f"step {j}", size=28, color=color(theme.FOREGROUND))
        words.move_to(q).shift((0.35 + words.width / 2) * mn.RIGHT + 0.35 * mn.DOWN)  # below right: clear of ● and path
        words.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.7, buff=0.04)
        words.anchor = q
        return [mn.VGroup(ring, words)]

    def path_extras(self, rec, axes, xy, z, other, steps, tracker):
        """Drop lines from the path (true loss) to the sheet under it (the sheet's loss), one per step
        up to step k, each appearing when the path reaches its step: the gap, seen closing."""
        if other is None:
            return []
        k = int(np.searchsorted(np.asarray(steps, float), self.agree_from(rec)))
        ink = color("optimizer", optimizer_key(rec["run"].config["optimizer"]))
        ends = [axes.c2p(*xy[i], h) for i in (0, k) for h in (z[i], other[i])]
        self.float_focus = np.mean(np.asarray(ends, float), axis=0)  # the zoom's centre: the floating stretch
        lines = mn.VGroup()
        for i in range(2, k + 1, 2):  # every second step (the stalk is step 0)
            a, b = axes.c2p(*xy[i], z[i]), axes.c2p(*xy[i], other[i])
            ln = mn.Line(a, b, stroke_color=ink, stroke_width=3, stroke_opacity=0.0)
            ln.step = float(steps[i])
            lines.add(ln)

        def show(g):
            now = tracker.get_value()
            for ln in g:
                ln.set_stroke(opacity=0.7 if now >= ln.step - 1e-9 else 0.0)
        lines.add_updater(show)
        # the lines' feet: the path's spot on the sheet, a thin white trail up to step k
        foot = DescentPath(np.column_stack([xy[:k + 1], other[:k + 1]]), axes, steps=np.asarray(steps, float)[:k + 1],
                           color=color(theme.FOREGROUND), tracker=tracker, stroke_width=2.5, head=False,
                           start_marker=False)
        return [foot, lines]

    def takeaway(self, rec, surf, v):
        return (f"Takeaway: the sheet's height is the true loss only where stepping off it leaves the loss "
                f"unchanged; here, from step {self.agree_from(rec)} on.")


class DescentSurfaceRandom(DescentSurface):
    """The path lies mostly off a random plane: its projection is drawn as a shadow on the floor,
    and the true loss beside it in a chart, with the sheet's loss under the shadow."""

    plane = "random"
    shadow = True
    stalk = False
    floor_levels = 10       # the floor carries the path's shadow
    floor_gap = 1.8         # the floor well below the sheet's trough (a gap between them on screen)
    floor_color, floor_width = theme.FOREGROUND, 2.0
    phi, theta = 55, -100
    zoom = 0.66
    offset = (-2.8, 0.9)
    net_meters_at = (1.9, 2.9)
    opacity = 0.6           # the floor's contours and the shadow show through the sheet
    axis_ticks = 0          # the chart beside it carries the losses
    half_width = 0.4        # the drawn window: ± this around the end point (the record's grid spans ±1)

    def window(self, surf, rec):
        """The centre of the recorded grid (the path's shadow is short: a closer window shows it)."""
        i = np.flatnonzero(np.abs(surf.xs) <= self.half_width + 1e-9)
        j = np.flatnonzero(np.abs(surf.ys) <= self.half_width + 1e-9)
        return dataclasses.replace(surf, xs=surf.xs[i], ys=surf.ys[j], loss=surf.loss[np.ix_(j, i)])

    def title(self, surf):
        return "A small net's loss along two random directions"

    def before(self, rec, surf, v):
        n = self.weights(rec)
        return [f"Training moves all {n} weights at once. This flat sheet runs through the end point along "
                f"two random directions of the {n}.",
                "Each direction is scaled so that a step of 1 changes every neuron's weights by their own size."]

    def during_path(self, rec, surf, v):
        off, dist = self.start_offsets(rec)
        return [f"The sheet misses the path: the start lies {dist:.1f} from the end point, {off:.1f} off the "
                f"sheet (bar). Only its shadow is drawn.",
                "The white dot is the sheet above the shadow: nearer the end point than the path, so it "
                "reads a lower loss (white curve)."]

    def after(self, rec, surf, v):
        p = rec[f"{self.plane}_path"]
        x, y, v = grid_minimum(surf.xs, surf.ys, surf.loss)
        return [f"At the end both read {p.true_loss[-1]:.3g}: the sheet was built through the end point. "
                f"★ ({v:.3g}) lies next to it."]

    def path_extras(self, rec, axes, xy, z, other, steps, tracker):
        """The sheet above the shadow's head: a white dot on the sheet (its loss is the chart's white curve)
        and a thin line dropping from it to the shadow on the floor, both following the step drawn."""
        s = np.asarray(steps, float)
        z0 = axes.z_range[0]
        at = lambda: min(int(np.searchsorted(s, tracker.get_value() - 1e-9)), len(s) - 1)  # noqa: E731
        top = lambda i: np.asarray(axes.c2p(*xy[i], z[i]), float)  # noqa: E731
        foot = lambda i: np.asarray(axes.c2p(*xy[i], z0), float) - self.floor_gap * mn.OUT  # noqa: E731
        drop = mn.Line(top(0), foot(0), stroke_color=color(theme.FOREGROUND), stroke_width=2,
                       stroke_opacity=0.8)  # one segment (a dashed line's 15 dashes cost a third more render time)
        drop.add_updater(lambda m: m.put_start_and_end_on(top(at()), foot(at()) + 1e-6 * mn.RIGHT))
        dot = mn.VGroup(mn.Dot(radius=0.13, color=color(theme.BACKGROUND)),
                        mn.Dot(radius=0.095, color=color(theme.FOREGROUND)))
        dot.add_updater(lambda m: m.move_to(top(at())))
        self.add_fixed_orientation_mobjects(dot)
        return [drop, dot]

    def takeaway(self, rec, surf, v):
        return (f"Takeaway: 2 random directions of {self.weights(rec)} miss the path: a random sheet shows "
                f"the basin around the end, not the route.")

    def side(self, rec, tracker, steps):
        p = rec[f"{self.plane}_path"]
        ink = color("optimizer", optimizer_key(rec["run"].config["optimizer"]))
        true, shadow = "true loss", "sheet at dot"
        plot = LossPlot({true: p.true_loss, shadow: p.plane_loss},
                        colors={true: ink, shadow: color(theme.FOREGROUND)},
                        steps={true: p.steps, shadow: p.steps}, log_y=True, width=4.6, height=1.6,
                        tracker=tracker, legend=False, x_ticks=3, font_size=28, ink=color(theme.FOREGROUND),
                        decades=loss_tick_text)  # 1 / 0.1 / 0.01, as the rings say it
        plot.move_to([6.7, 0.1, 0], aligned_edge=mn.UR)
        off, dist = self.start_offsets(rec)
        share = off / dist if dist > 0 else 0.0
        fg = color(theme.FOREGROUND)
        # the bar's outline: the start's distance to the end point; filled: how far the dot is off the sheet now
        # (13.3 at the start, 0 at the end point the sheet runs through: why the two curves meet at the end)
        s_ = np.asarray(p.steps, float)
        now = np.asarray(p.off_plane, float)
        off_at = lambda: float(now[min(int(np.searchsorted(s_, tracker.get_value() - 1e-9)), len(now) - 1)])  # noqa: E731
        words = label(f"start → end: {dist:.1f}", size=28, color=fg)
        left = label("filled: path off the sheet", size=28, color=fg)  # a fixed label:
        # a live number rebuilt its glyphs on most frames (a third more render time for this scene)
        track = mn.Rectangle(width=4.2, height=0.2, stroke_color=fg, stroke_width=2, fill_opacity=0)
        fill = mn.Rectangle(width=max(4.2 * share, 0.02), height=0.2, stroke_width=0, fill_color=fg, fill_opacity=1)
        fill.align_to(track, mn.LEFT)

        def drain(m):
            w = max(4.2 * off_at() / dist, 1e-3) if dist > 0 else 1e-3
            m.stretch_to_fit_width(w)
            m.align_to(track, mn.LEFT)
        bar = mn.VGroup(words, mn.VGroup(track, fill), left).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)
        bar.move_to([self.net_meters_at[0], 1.75, 0], aligned_edge=mn.UL)
        fill.add_updater(drain)
        ax = plot.axes
        names = []
        for k, where in ((true, 0.0), (shadow, 0.3)):  # each curve named in the empty upper right
            c = plot.curves[k].trace.color
            x0, x1 = ax.bounds[0]
            y0, y1 = ax.bounds[1]
            at = ax.axes.c2p(x1, y1 - where * (y1 - y0))
            swatch = mn.Line(mn.ORIGIN, 0.45 * mn.RIGHT, stroke_color=c, stroke_width=5)
            words = label(k, size=28, color=c)
            row = mn.VGroup(swatch, words).arrange(mn.RIGHT, buff=0.12).move_to(at, aligned_edge=mn.RIGHT)
            names.append(row)
        return [bar, plot, *names]


class DescentSurfaceBowl(DescentSurface):
    """Two parameters only: the surface is the whole loss, so the path lies on it exactly. The window
    is zoomed to the path; the bowl's steep and flat axes are drawn and labelled on it, and two bars
    show the path's coordinate along each shrinking by its own factor 1 − η·curvature per step."""

    plane = "bowl"
    floor_levels = 0        # the rings on the surface carry the levels
    log = False             # a quadratic bowl reads best as itself
    zoom = 0.95
    offset = (-2.1, 0.0)
    z_length = 3.0
    phi, theta = 55, -100   # low enough that the walls rise: a bowl, not a sheet
    end_phi, end_theta = 55, -100  # the camera holds still: the steps are the motion
    orbit_rate = 0.0
    intro_time = 2.5
    ring_width, ring_opacity = 2.5, 0.8   # evenly spaced ellipses: tight across, wide along
    counter_drawing = False  # counter, loss and bars change when the dot arrives
    star_label_side = None  # "★ minimum, loss 0" in the readout panel
    axis_ticks = 0          # no loss axis: the readout gives the loss, the rings the levels
    margin = 0.08           # of the path's reach from ★, around it

    def window(self, surf, rec):
        """The grid cropped to a square round ★ that holds the path plus a margin: ★ in the middle,
        the bowl's walls rising on every side."""
        run = rec[f"{self.plane}_run"]
        c = np.asarray(surf.meta["minima"][0], float)
        half = (1 + self.margin) * float(np.abs(np.asarray(run.thetas, float) - c).max())
        lo, hi = c - half, c + half
        i = np.flatnonzero((surf.xs >= lo[0]) & (surf.xs <= hi[0]))
        j = np.flatnonzero((surf.ys >= lo[1]) & (surf.ys <= hi[1]))
        i = np.arange(max(i[0] - 1, 0), min(i[-1] + 2, len(surf.xs)))
        j = np.arange(max(j[0] - 1, 0), min(j[-1] + 2, len(surf.ys)))
        xs, ys = surf.xs[i], surf.ys[j]
        w = max(np.ptp(xs), np.ptp(ys))
        self.x_length, self.y_length = 7.0 * np.ptp(xs) / w, 7.0 * np.ptp(ys) / w
        return dataclasses.replace(surf, xs=xs, ys=ys, loss=surf.loss[np.ix_(j, i)])

    def true_loss(self, rec):
        return None

    def jump(self, axes):
        return np.inf  # every step drawn alike (the first, long one too)

    def path(self, rec, surf):
        run = rec[f"{self.plane}_run"]
        h = run.train_loss[: len(run.thetas)]  # f(θₜ), evaluated every step for an objective
        return run.thetas, h, run.steps.astype(float), run.config["optimizer"]

    def ring_levels(self, surf, hmap, zr) -> list[float]:
        """Losses ½λr² at evenly spaced r: the rings' spacing shows the slope (tight where steep)."""
        top = float(np.nanmax(surf.loss))
        return [top * (k / 8) ** 2 for k in range(1, 8)]

    def factors(self, rec, surf):
        """[(name, curvature λ, factor 1 − ηλ, coordinates along that axis per step)] for the steep and
        the flat axis (GD on a quadratic with its minimum at 0: each coordinate is multiplied by 1 − ηλ)."""
        run = rec[f"{self.plane}_run"]
        lr = run.config["optimizer"]["lr"]
        eta = lr["lr"] if isinstance(lr, dict) else lr
        (lo, hi), vecs = surf.meta["curvatures"], np.asarray(surf.meta["axes"], float)
        th = np.asarray(run.thetas, float)
        return [("steep", hi, 1 - eta * hi, th @ vecs[1], eta), ("flat", lo, 1 - eta * lo, th @ vecs[0], eta)]

    def intro(self, rec, surf):
        lo, hi = sorted(surf.meta["curvatures"])
        return (f"Two weights: loss = ½·({hi:g}·s² + {lo:g}·f²) along the steep axis s and the flat axis f, "
                f"a bowl {hi / lo:.0f}× steeper across than along.")

    def during(self, rec, surf, v):
        (n1, l1, f1, _, eta), (n2, l2, f2, _, _) = self.factors(rec, surf)
        return (f"Each step multiplies the steep coordinate by 1 − η·{l1:g} = {f1:.2f} and the flat one by "
                f"1 − η·{l2:g} = {f2:.2f} (η = {eta:g}).")

    def side(self, rec, tracker, steps):
        """Two bars: the path's distance from ★ along the steep and along the flat axis as a share of
        the start's, at the dot's position (between steps: in proportion), its value printed, and a
        tick where it stood after the closing caption's k steps."""
        surf = rec[self.plane]
        rows = mn.VGroup()
        s = np.asarray(steps, float)
        width, thick = 2.4, 0.2
        (_, _, _, c1, _), _ = self.factors(rec, surf)
        k = self.tenth_step(c1)
        fg, muted = color(theme.FOREGROUND), color(theme.MUTED)
        for name, lam, f, c, _ in self.factors(rec, surf):
            share = np.abs(np.asarray(c, float)) / abs(c[0])
            sample = mn.Line(mn.ORIGIN, 0.5 * mn.RIGHT, stroke_color=fg, stroke_width=4)
            if name == "flat":
                sample = mn.DashedLine(mn.ORIGIN, 0.5 * mn.RIGHT, dash_length=0.09, stroke_color=fg, stroke_width=4)
            words = mn.VGroup(sample, label(f"{name}: ×{f:.2f} a step", size=24, color=fg)).arrange(
                mn.RIGHT, buff=0.15)
            track = mn.Rectangle(width=width, height=thick, stroke_color=muted, stroke_width=2, fill_opacity=0)
            bar = mn.Rectangle(width=width, height=thick, stroke_width=0, fill_color=fg if name == "steep" else muted,
                               fill_opacity=1)
            tick = mn.Line(mn.UP * (thick / 2 + 0.08), mn.DOWN * (thick / 2 + 0.08), stroke_color=fg, stroke_width=3)
            row = mn.VGroup(words, track).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.12)
            tick.move_to(track.get_left() + width * share[k] * mn.RIGHT)
            bar.align_to(track, mn.LEFT).align_to(track, mn.UP)

            def at(x, share=share):
                i = min(int(np.searchsorted(s, x, side="right")) - 1, len(share) - 2)
                u = float(np.clip((x - s[i]) / (s[i + 1] - s[i]), 0, 1)) if i >= 0 else 0.0
                return share[max(i, 0)] + (share[max(i, 0) + 1] - share[max(i, 0)]) * u

            def follow(m, at=at, track=track):
                L = max(width * at(tracker.get_value()), 1e-3)
                m.stretch_to_fit_width(L).align_to(track, mn.LEFT)
            bar.add_updater(follow)
            value = Readout(tracker, lambda x, at=at: f"{at(x):.0%}", size=26, color=fg)
            value.next_to(track, mn.RIGHT, buff=0.15)  # placed before the first update too
            value.add_updater(lambda m, track=track: m.next_to(track, mn.RIGHT, buff=0.15))
            rows.add(mn.VGroup(row, bar, tick, value))
        rows.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.3)
        head = label("way left to ★", size=24, color=fg)
        mark = mn.Line(mn.UP * (thick / 2 + 0.08), mn.DOWN * (thick / 2 + 0.08), stroke_color=fg, stroke_width=3)
        note = mn.VGroup(mark, label(f"after {k} steps", size=26, color=fg)).arrange(mn.RIGHT, buff=0.15)
        panel = mn.VGroup(head, rows, note).arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.2)
        panel.move_to([2.9, 1.05, 0], aligned_edge=mn.UL)
        if panel.get_right()[0] > 7.1 - 0.25:  # inside the frame
            panel.shift((7.1 - 0.25 - panel.get_right()[0]) * mn.RIGHT)
        return [panel]

    @staticmethod
    def tenth_step(c) -> int:
        """The first step at which a coordinate is below a tenth of its start."""
        return int(np.argmax(np.abs(np.asarray(c, float)) < 0.1 * abs(c[0])))

    def loss_readout(self, rec, tracker, steps, heights):
        s = np.asarray(steps, float)
        vals = np.asarray(heights, float)
        # the loss at the last step the dot has reached (the counter's step)
        return Readout(tracker, lambda x: f"loss {loss_text(vals[max(min(int(np.searchsorted(s, x + 1e-9, side='right')) - 1, len(vals) - 1), 0)])}",
                       size=28, color=color(theme.FOREGROUND))

    def minimum_words(self, surf, v):
        return f"minimum, loss {v:.3g}"

    def title(self, surf):
        return "Gradient descent on a bowl: steep first, then flat"

    def guides(self, axes, surf, hmap):
        """The bowl's two principal axes through the minimum, on the surface: along axis i the loss is
        ½ λᵢ s² exactly (a quadratic with f* = 0), so the lines are drawn from the recorded curvatures;
        each is labelled with its name and curvature at its end."""
        if "curvatures" not in surf.meta:
            return [], []
        lines, words = [], []
        (lo, hi), vecs = surf.meta["curvatures"], np.asarray(surf.meta["axes"], float)
        box = np.array([surf.xs[[0, -1]], surf.ys[[0, -1]]], float)
        for lam, v, col, name in ((hi, vecs[1], theme.FOREGROUND, "steep"), (lo, vecs[0], theme.FOREGROUND, "flat")):
            # the stretch of the line s·v that lies inside the window
            with np.errstate(divide="ignore", invalid="ignore"):
                ends = np.sort(np.where(np.abs(v)[:, None] > 1e-12, box / v[:, None], np.nan), axis=1)
            s0 = float(np.nanmax(ends[:, 0])) * 0.97
            s1 = float(np.nanmin(ends[:, 1])) * 0.97
            s = np.linspace(s0, s1, 61)
            p = s[:, None] * v[None, :]
            z = hmap(0.5 * lam * s ** 2)
            line = mn.VMobject(stroke_color=color(col), stroke_width=4)
            line.set_points_as_corners([axes.c2p(x, y, h) for (x, y), h in zip(p, z)])
            if name == "flat":  # told apart by dash: the steep one solid, the flat one dashed
                line = mn.DashedVMobject(line, num_dashes=24, dashed_ratio=0.55)
            outline(line, 3.0)
            lines.append(line)
            # the label at the line's end farther from the start ○ (the start's end is crowded by ○)
            end = p[-1] if np.linalg.norm(p[-1] - self._start) > np.linalg.norm(p[0] - self._start) else p[0]
            zz = float(hmap(np.array([0.5 * lam * float(end @ v) ** 2]))[0])
            tag = label(f"{name}: curvature {lam:g}", size=24, color=color(theme.FOREGROUND))
            tag.move_to(axes.c2p(*end, zz)).shift(0.35 * mn.OUT)
            tag.add_background_rectangle(color=color(theme.BACKGROUND), opacity=0.7, buff=0.05)
            words.append(tag)
        return lines, words

    def construct(self):
        rec = experiments.load(self.experiment)
        self._start = np.asarray(rec[f"{self.plane}_run"].thetas[0], float)
        super().construct()

    def path_beat(self, rec, surf, v):
        """The path holds at the step where the steep coordinate is below a tenth of its start."""
        (_, _, _, c1, _), _ = self.factors(rec, surf)
        return self.tenth_step(c1), self.why(rec, surf, v)

    def why(self, rec, surf, v):
        """The bend in plain words, from the bowl's recorded curvatures and the run's step lengths."""
        (n1, l1, f1, c1, _), (n2, l2, f2, c2, _) = self.factors(rec, surf)
        k = self.tenth_step(c1)
        return (f"After {k} steps the steep coordinate is below a tenth of its start, the flat one still at "
                f"{abs(c2[k]) / abs(c2[0]):.0%} (the bars, and their ticks later).")

    def takeaway(self, rec, surf, v):
        """GD's one lesson on a bowl: each step removes η·λ of the way along each axis, so the steep
        axis is done first and the flat one sets how long it takes."""
        (_, _, f1, c1, eta), (_, _, f2, c2, _) = self.factors(rec, surf)
        k1, k2 = self.tenth_step(c1), self.tenth_step(c2)
        return (f"Takeaway: each step removes η·curvature of the way left along an axis, so the steep one "
                f"is done in {k1} steps; the flat one takes {k2}.")


class DescentSurfaceRosenbrock(DescentSurfaceBowl):
    """Momentum on the Rosenbrock surface: down the steep wall, then along the curved floor; beside
    the surface its step length and 10·η·|gradient| per step (momentum's steady step is η·|g|/(1 − β)):
    the two agree along the floor, and where the floor flattens toward ★ the gradient falls and the
    steps with it. Height is log(1 + loss), so the floor near ★ (loss < 1) is drawn flat."""
    plane = "rosenbrock"
    log = True
    floor_levels = 0        # the rings on the surface carry the levels
    star_label_side = None  # "★ minimum, loss 0" in the readout panel
    phi, theta = 40, -100   # from the valley's open side: the whole path in view (a lower camera hides
    end_phi, end_theta = 40, -100  # its end behind the valley's near wall); the camera holds still
    orbit_rate = 0.0
    zoom, offset = 0.7, (-3.55, 0.1)
    ring_color = theme.GRID  # dark lines: white is the gradient curve's and the markers
    axis_ticks = 0          # no floating loss axis (it read as level with points it is not)
    path_width, path_outline = 3.0, 2.0  # thin: the early zigzag across the valley reads as a zigzag
    hold_time = 3.0
    run_time = 8.0
    ring_width, ring_opacity = 2.5, 0.9
    ring_lift = 1.5         # whole on the steep inner walls (at 0.5 the near faces chopped them into dashes)
    marker_lift = 1e4       # ○ and ★ over the path
    counter_drawing = False
    axis_name = "loss"      # the camera holds still: the name stays clear of the title
    during_runs = True      # the formula caption is read while the first steps are drawn
    hold_extra = (5.5,)     # the zigzag hold: its chain is built, then read
    why_time, takeaway_time = 3.0, 2.5
    intro_time = 1.8
    zig_side, zig_corner = 3.2, (0.25, 2.4)  # the zigzag close-up in the chart's place: its side, its top left
    chain_arrows = 8        # the newest past −gradients laid down one at a time in it (the older ones quicker)
    build_share = 0.55      # of that hold, the time its chain takes to build (the rest: read whole)
    start_fill = 1.0        # ○ a clean ring: the first steps' scribble under it hidden
    tag_ways = (0.22 * mn.RIGHT + 0.12 * mn.UP, 0.5 * mn.UP)  # step tags: from the mark, clear of the path

    def ring_levels(self, surf, hmap, zr) -> list[float]:
        """Rings at loss 1, 10, 100, 1000: loss 1 outlines the flat floor (and smooths its cell-wide edge)."""
        return [1.0] + [v_ for v_, _ in decade_ticks(hmap, zr, most=6) if v_ > 1]

    def window(self, surf, rec):
        """The whole grid; heights log10(1 + loss) (δ = 1: the log map's floor is loss 1, so the
        valley floor, where the loss is below 1, is drawn nearly flat rather than as a deep cusp)."""
        self.x_length = self.y_length = 6.5
        self.log_floor = 1.0 / float(np.ptp(surf.loss[np.isfinite(surf.loss)]))
        return surf

    def guides(self, axes, surf, hmap):
        return [], []

    def run_numbers(self, rec) -> dict:
        """What the captions and marks say, from the run (v ← β·v − η·g, θ ← θ + v): the steps Δₜ = θₜ − θₜ₊₁
        (= η·Σₖ βᵏ·gₜ₋ₖ) and their lengths L, the gradient each step added, gₜ = (Δₜ − β·Δₜ₋₁)/η (from the path
        itself), its norm g (the record's, at θₜ), W = η·Σₖ βᵏ·|gₜ₋ₖ| (the step's length if all those gradients
        pointed one way: L ≤ W, equal when they agree), the factor 1/(1 − β), the step from which L is within
        1.35× of W for good (the floor), the step from which the gradient only falls. Once per record: a construct
        asks for them from its chart, close-up, marks and captions."""
        memo = getattr(self, "_numbers", None)
        if memo is not None and memo[0] is rec:
            return memo[1]
        run = rec[f"{self.plane}_run"]
        opt = run.config["optimizer"]
        eta = float(opt["lr"]["lr"] if isinstance(opt["lr"], dict) else opt["lr"])
        beta = float(opt["beta"])
        th = np.asarray(run.thetas, float)
        D = th[:-1] - th[1:]
        G = (D - beta * np.vstack([np.zeros((1, D.shape[1])), D[:-1]])) / eta
        L = step_lengths(th)
        g = np.asarray(run.grad_norm, float)[: len(L)]
        W = np.empty_like(g)
        acc = 0.0
        for t, gt in enumerate(g):
            acc = beta * acc + eta * gt
            W[t] = acc
        rises = np.flatnonzero(np.diff(g) > 0)
        flat = int(rises[-1] + 1) if rises.size else 0   # from here on |g| only falls
        off = np.flatnonzero(L < W / 1.35)
        steady = int(off[-1] + 1) if off.size else 0  # from here on each step is within 1.35× of W
        self._numbers = (rec, dict(L=L, g=g, G=G, W=W, eta=eta, beta=beta, k=1.0 / (1.0 - beta), flat=flat,
                                   steady=steady, n=int(run.n_steps)))
        return self._numbers[1]

    def arrange_meters(self, counter, loss, star_words, net: bool) -> mn.VGroup:
        """Step and loss side by side on one line (the loss clear of the widest count, "step 300 / 300") at
        the frame's top right: the chart's legend goes under them. ★ is named by the captions ("toward ★
        (loss 0)"), not here: the panel's third line would squeeze the chart."""
        total = counter.string.split("/")[-1].strip()
        widest = label(f"step {total} / {total}", size=28)
        loss.move_to(counter.get_left() + (widest.width + 0.45) * mn.RIGHT, aligned_edge=mn.LEFT)
        meters = mn.VGroup(counter, loss)
        room = widest.width + 0.45 + label("loss 0.0000", size=28).width
        meters.move_to([mn.config.frame_width / 2 - 0.2 - room, 2.95, 0], aligned_edge=mn.UL)
        return meters

    CHART_NAME = "length of each step:"
    STEP_NAME = "Momentum's"
    SUM_NAME = "if all its gradients agreed"

    def side(self, rec, tracker, steps):
        """Per step t (log scale, a tick every decade), growing with the path: Momentum's step length |Δₜ| (thick)
        and W = η·Σₖ 0.9ᵏ·|gₜ₋ₖ|, its length if every gradient it sums pointed one way (white, thin, on top); from
        the zigzag hold on, both at that step as dots with the gap between them (the close-up's two bars) and the
        band before it named; the step from which the two agree (the floor), the one from which the gradient only
        falls and the last step marked, each a little after the path gets there, numbers above-right. The legend
        sits above the chart, under the readouts; above them, what the height means and the optimizer's rule. The
        zigzag's top-down close-up (`PlaneInset`) while the path holds there."""
        n = self.run_numbers(rec)
        L, W, f, a = n["L"], n["W"], n["flat"], n["steady"]
        fg, bg = color(theme.FOREGROUND), color(theme.BACKGROUND)
        yellow = color("optimizer", "momentum")
        x = np.arange(len(L), dtype=float)  # Δₜ is the step taken at step t (from θₜ, the dot's place at t)
        # the step in two pieces: thin before the floor (it jitters there: the white curve above shows), thick on
        # the white curve solid up to the floor, then dashed on top of the yellow it runs along (drawn below)
        series = {"y0": L[: a + 1], self.STEP_NAME: L[a:], self.SUM_NAME: W[: a + 1]}
        at = {"y0": x[: a + 1], self.STEP_NAME: x[a:], self.SUM_NAME: x[: a + 1]}
        plot = LossPlot(series, colors={"y0": yellow, self.STEP_NAME: yellow, self.SUM_NAME: fg}, steps=at,
                        log_y=True, y_range=(1e-3, 3.0), x_range=(0, n["n"]), legend=False, x_label="step",
                        y_label="", width=5.9, height=2.45, tracker=tracker, font_size=30, ink=theme.FOREGROUND,
                        y_ticks=4, x_ticks=3, decades=lambda v: f"{v:g}")  # 0.001 … 1 written out
        plot.curves["y0"].trace.line.set_stroke(width=2.5)
        plot.curves[self.STEP_NAME].trace.line.set_stroke(width=7)
        plot.curves[self.SUM_NAME].trace.line.set_stroke(width=4)
        ax = plot.axes
        # from the floor on: white dashes as wide as the yellow, over it (the two alternate: both are there), each
        # shown once the path passes it
        dashes = mn.VGroup()
        for t0 in range(a, len(W) - 1, 16):
            t1 = min(t0 + 8, len(W) - 1)
            d = mn.VMobject(stroke_color=fg, stroke_width=7)
            d.set_points_as_corners([ax.c2p(x[t], W[t]) for t in range(t0, t1 + 1)])
            dashes.add(shown_from(d, tracker, float(t1)))
        plot.add(dashes)
        ax.tick_labels.remove(*[t_ for t_ in ax.tick_labels if getattr(t_, "text", "") == "0"])  # read as "0.0010"
        marks = mn.VGroup()  # where the two agree, where |g| starts to fall, the end: numbers above-right (clear)
        for step, val, words, late in ((float(a), float(L[a]), f"{a}", 12), (float(f), float(L[f]), f"{f}", 12),
                                       (float(x[-1]), float(L[-1]), f"{L[-1]:.2g}", 0)):
            dot = mn.Dot(ax.c2p(step, val), radius=0.09, color=yellow, stroke_color=bg, stroke_width=3)
            tag = label(words, size=28, color=fg).next_to(dot, mn.UP, buff=0.1 if late else 0.3)
            if late:  # right of the mark: the curves before it still run high up there
                tag.shift((tag.width / 2 - 0.02) * mn.RIGHT)
            else:  # the last step: its number ends at the chart's right edge
                tag.shift(min(0.0, ax.axes.get_right()[0] + 0.1 - tag.get_right()[0]) * mn.RIGHT)
            marks.add(shown_from(mn.VGroup(dot, tag), tracker, min(step + late, float(x[-1]))))
        # the zigzag hold's step, once the close-up has gone: its two bars as dots on the curves (white: the
        # gradients' lengths added; yellow: the step), the gap between them, the step's number up-right of the white
        # dot (the white curve falls away there); under the swinging yellow before it, the band's name (the caption
        # after the hold says what it is)
        z = self.zig_step(n)
        gap = mn.DoubleArrow(ax.c2p(z, L[z]), ax.c2p(z, W[z]), buff=0.1, stroke_width=3, color=fg, tip_length=0.12,
                             max_tip_length_to_length_ratio=0.3)
        ends = [mn.Dot(ax.c2p(z, v_), radius=0.08, color=c_, stroke_color=bg, stroke_width=3)
                for v_, c_ in ((W[z], fg), (L[z], yellow))]
        tag = label(f"{z}", size=28, color=fg).next_to(ends[0], mn.UR, buff=0.06)
        band = label("zigzag", size=28, color=yellow)
        band.next_to(ax.c2p(0, float(L[:z + 1].min())), mn.DOWN, buff=0.12)
        band.align_to(ax.axes.get_left() + 0.35 * mn.RIGHT, mn.LEFT)  # clear of the y axis's "0.01" beside it
        plot.add(shown_from(mn.VGroup(gap, *ends, tag, band), tracker, z))
        plot.add(marks)
        names = mn.VGroup(label(self.CHART_NAME, size=26, color=fg))  # the y axis's name, over it
        for k_, c, w in ((self.STEP_NAME, yellow, 7), (self.SUM_NAME, fg, 4)):
            swatch = mn.Line(mn.ORIGIN, 0.45 * mn.RIGHT, stroke_color=c, stroke_width=w)
            names.add(mn.VGroup(swatch, label(k_, size=26, color=fg)).arrange(mn.RIGHT, buff=0.12))
        names.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.1)
        names[1:].shift(0.2 * mn.RIGHT)
        plot.move_to([0, -2.5, 0], aligned_edge=mn.DOWN).to_edge(mn.RIGHT, buff=0.2)
        names.next_to(ax.axes, mn.UP, buff=0.25).align_to(plot.axes.tick_labels, mn.LEFT)
        plot.add(names)
        self._chart = plot
        sub = label(f"height: log(1 + loss)  |  η = {n['eta']:g}\nupdate: v ← {n['beta']:g}·v − η·gradient, "
                    f"θ ← θ + v", size=26, color=fg, line_spacing=0.8)
        sub.to_edge(mn.UP, buff=0.62).to_edge(mn.LEFT, buff=0.2)
        self._zig_inset = self.insets(rec)
        return [plot, sub]

    def hold_swap(self, i: int, on: bool):
        """The zigzag's close-up is in the scene only while the path holds there (hidden, it would still cost
        every frame its drawing); its chain is built during the hold (`hold_play`)."""
        if i == 0 and on:  # in the chart's place (its two numbers at that step are the close-up's bars)
            self.remove(self._chart)
            self.add_fixed_in_frame_mobjects(self._zig_inset)
            self._zig_shown = []
        elif i == 0:
            self.remove(self._zig_inset, *self._zig_shown)
            self.add_fixed_in_frame_mobjects(self._chart)

    def hold_play(self, rec, i: int, seconds: float, shown: mn.Mobject) -> mn.Mobject:
        """At the zigzag hold the chain is laid down arrow by arrow, newest first (the `chain_arrows` newest one
        at a time, then the older ones quicker), the running sum (yellow) and the two bars following it; then, the
        chain whole, its result's caption replaces the one that says what is built, and is read. Frame-exact (each
        state lasts whole frames, every wait a frozen frame): the hold lasts exactly a plain wait's frames at any
        quality."""
        if i != 0:
            return super().hold_play(rec, i, seconds, shown)
        fps = float(mn.config.frame_rate)
        parts = self._zig_parts
        counts = build_counts(len(parts["links"]), self.chain_arrows, self.build_share * seconds, fps)
        frames = len(counts)
        down, state = 0, None
        for k, same in itertools.groupby(counts):  # one state per run of frames with k links down
            for link in parts["links"][down:k]:
                self.add_fixed_in_frame_mobjects(link)
                self._zig_shown.append(link)
            new = self.chain_state(k)
            if state is not None:
                self.remove(state)
                self._zig_shown.remove(state)
            self.add_fixed_in_frame_mobjects(new)
            self._zig_shown.append(new)
            down, state = k, new
            run = len(list(same))
            self.wait((run + 0.5) / fps, frozen_frame=True)  # manim writes int(duration·fps) = run frames
        self.remove(shown)
        shown = caption(self.zig_result(rec))
        self.add_fixed_in_frame_mobjects(shown)
        rest = int(seconds * fps + 1e-9) - frames  # what a plain wait(seconds) writes, less the build's frames
        if rest > 0:
            self.wait((rest + 0.5) / fps, frozen_frame=True)
        return shown

    def zig_result(self, rec) -> str:
        """The zigzag hold's second caption, once its chain is whole: the close-up's two bars, the chart's."""
        n = self.run_numbers(rec)
        z = self.zig_step(n)
        W, L = n["W"][z], n["L"][z]
        return (f"Added as arrows they cancel: the step is {L:.2f} long, not {W:.2f} (the white curve at step {z}): "
                f"{W / L:.1f}× shorter.")

    @staticmethod
    def chain_terms(n, z: int) -> np.ndarray:
        """The past gradients the step at z sums, newest first, each as it enters the step: −η·βᵏ·g₍z−k₎."""
        return np.array([-n["eta"] * n["beta"] ** k_ * n["G"][z - k_] for k_ in range(z + 1)])

    @staticmethod
    def zig_step(n) -> int:
        """The zigzag hold: half-way to the floor."""
        return n["steady"] // 2

    def screen_box(self, idx, pad: float = 0.12):
        """The on-screen box round the drawn path's points `idx` (scene units, the camera at rest)."""
        self.camera.reset_rotation_matrix()
        P = np.array([self._axes.c2p(*self._xy[i], self._z[i]) for i in idx], float)
        q = np.asarray(self.camera.project_points(P), float)[:, :2]
        return q.min(axis=0) - pad, q.max(axis=0) + pad

    def insets(self, rec) -> mn.VGroup:
        """The zigzag's close-up at its hold (step z), top-down and to scale, in the chart's place for that hold
        (the chart steps aside; a thin box on the surface where it is taken): the valley floor (dashed), where
        the step starts, a key, the two bars' names. What the hold builds in it (`chain_state`): every past
        −gradient the step at z sums, ×η and ×0.9 per step back, tip to tail from θ_z (white, newest first:
        they flip across the valley, the chain folds back and forth) and their running sum (yellow) — at the
        end exactly θ_z₊₁ − θ_z, the real step; under it their lengths added (the chart's white curve) against
        the sum's length (the step)."""
        n = self.run_numbers(rec)
        th = np.asarray(rec[f"{self.plane}_run"].thetas, float)
        fg, bg, yellow = color(theme.FOREGROUND), color(theme.BACKGROUND), color("optimizer", "momentum")
        z = self.zig_step(n)
        terms = self.chain_terms(n, z)
        chain = th[z] + np.vstack([np.zeros((1, 2)), np.cumsum(terms, axis=0)])  # its last point is θ_z₊₁
        c = (chain.min(axis=0) + chain.max(axis=0)) / 2
        half = 0.56 * float(np.max(np.ptp(chain, axis=0)))  # the chain fills 89 % of the box: room for the heads
        zz = PlaneInset(c, half, side=self.zig_side, make_text=label, size=26)
        # the valley floor: for each x the y where f is lowest (from f itself), dashed: "across the valley"
        obj = O.get(self.plane)
        xs, ys = np.linspace(c[0] - half, c[0] + half, 40), np.linspace(c[1] - half, c[1] + half, 400)
        X, Y = np.meshgrid(xs, ys)
        F = np.asarray(obj.value(np.column_stack([X.ravel(), Y.ravel()])), float).reshape(X.shape)
        floor_ink = color(theme.FOREGROUND)
        zz.curve(np.column_stack([xs, ys[np.argmin(F, axis=0)]]), floor_ink, width=3, opacity=0.55, dashes=16)
        # named in the box's lower left corner, beside the line (the chain stays right of it)
        floor_word = label("valley\nfloor", size=26, color=floor_ink, line_spacing=0.8).set_opacity(0.7)
        floor_word.move_to(zz.box.get_corner(mn.DL) + np.array([0.1, 0.1, 0]), aligned_edge=mn.DL)
        zz.add(floor_word)
        zz.add(mn.Dot(zz.at(th[z]), radius=0.08, color=fg, stroke_color=bg, stroke_width=2))  # where the step starts
        zz.move_to([0, 0, 0]).shift(np.array(self.zig_corner + (0.0,)) - zz.box.get_corner(mn.UL))
        # the key, right of the box, under the readouts
        def swatch(ink, width):
            return mn.Arrow(mn.ORIGIN, 0.55 * mn.RIGHT, buff=0, stroke_width=width, color=ink, tip_length=0.16,
                            max_tip_length_to_length_ratio=0.5, max_stroke_width_to_length_ratio=1e3)
        rows = [(swatch(fg, 4), f"η·(−gradient),\n×{n['beta']:g} per step\nfurther back"),
                (swatch(yellow, 7), f"their sum;\nwith all {z + 1},\nthe step"),
                (mn.Circle(radius=0.16, stroke_color=yellow, stroke_width=3.5), "where it lands")]
        key = mn.VGroup()
        for sw, words in rows:
            w = label(words, size=26, color=fg, line_spacing=0.8)
            sw.next_to(w, mn.LEFT, buff=0.15 + (0.55 - sw.width) / 2).align_to(w, mn.UP).shift(0.1 * mn.DOWN)
            key.add(mn.VGroup(sw, w))
        key.arrange(mn.DOWN, aligned_edge=mn.LEFT, buff=0.24)
        for row in key:  # the words in one column (a ring is narrower than an arrow)
            row.shift((max(r[1].get_left()[0] for r in key) - row[1].get_left()[0]) * mn.RIGHT)
        key.next_to(zz.box, mn.RIGHT, buff=0.25).align_to(zz.box, mn.UP)
        # the bars' names, right-aligned in a column under the box; the bars grow from one left edge
        names = mn.VGroup(label("laid end to end:", size=26, color=fg), label("added as arrows:", size=26, color=fg))
        names.arrange(mn.DOWN, aligned_edge=mn.RIGHT, buff=0.3)
        names.next_to(zz.box, mn.DOWN, buff=0.55).align_to(zz.box, mn.LEFT)  # under the key too
        zz.add(key, names)
        lo, hi = self.screen_box(range(z - 1, z + 2))
        src = zz.frame_on(((lo[0], lo[1]), (hi[0], hi[1])), lines=False)[0]  # the box round the source
        # one thin line from it to the close-up, mid side to mid side (two, corner to corner, crossed ★)
        zz.add_to_back(mn.Line(src.get_right(), zz.box.get_left(), stroke_color=color(theme.MUTED), stroke_width=1.5))
        # what the hold builds: the links (each drawn once, kept) and per state the sum, the bars, their numbers
        links = []
        for k_, t_ in enumerate(terms):
            if k_ < self.chain_arrows:  # the newest: arrows, thinner the older
                age = n["beta"] ** k_
                link = zz.arrow(chain[k_], t_, theme.FOREGROUND, width=2.5 + 2.5 * age, tip=0.12 + 0.1 * age,
                                thin_short=False, add=False)
            else:  # the older ones: thin plain segments, a little fainter (their heads would pile up round the tip)
                link = mn.Line(zz.at(chain[k_]), zz.at(chain[k_ + 1]), stroke_color=fg, stroke_width=2,
                               stroke_opacity=0.75)
            links.append(link)
        # where the step lands (θ_z₊₁): a dark-rimmed ring, over everything (`chain_state`); the sum ends in it
        land = mn.VGroup(*[mn.Circle(radius=0.16, stroke_color=c_, stroke_width=w_).move_to(zz.at(chain[-1]))
                           for c_, w_ in ((bg, 7), (yellow, 3.5))])
        # the bars' scale: the chain's whole length, its value beside it, as long as the frame allows
        full = float(np.linalg.norm(terms, axis=1).sum())
        x0 = names.get_right()[0] + 0.2  # where the bars start
        unit = (mn.config.frame_width / 2 - 0.25 - x0 - 0.15 - label(f"{full:.2f}", size=26).width) / full
        self._zig_parts = dict(zz=zz, chain=chain, terms=terms, links=links, names=names, x0=x0, unit=unit, land=land)
        return zz  # read while the path holds still (`hold_swap`), gone as it moves on

    def chain_state(self, k: int) -> mn.VGroup:
        """The close-up with the chain's k newest links down: their sum so far (yellow, from θ_z to the k-th
        joint; with all of them, the step) and the two bars to one scale — the links' lengths added (white:
        at the end the chart's white curve at z) and the sum's length (yellow: at the end the step), each
        with its value."""
        p = self._zig_parts
        zz, chain, names = p["zz"], p["chain"], p["names"]
        fg, yellow = color(theme.FOREGROUND), color("optimizer", "momentum")
        out = mn.VGroup()
        if k:
            out.add(zz.arrow(chain[0], chain[k] - chain[0], yellow, width=7, tip=0.24, thin_short=False, add=False))
        out.add(p["land"].copy())  # over the links and the sum
        lengths = float(np.linalg.norm(p["terms"][:k], axis=1).sum())
        summed = float(np.linalg.norm(chain[k] - chain[0]))
        x0, unit = p["x0"], p["unit"]
        for name, value, ink in ((names[0], lengths, fg), (names[1], summed, yellow)):
            y = name.get_center()[1]
            bar = mn.Rectangle(width=max(value * unit, 1e-3), height=0.16, stroke_width=0, fill_color=ink,
                               fill_opacity=1 if value else 0)
            bar.move_to([x0, y, 0], aligned_edge=mn.LEFT)
            words = label(f"{value:.2f}", size=26, color=fg).next_to(bar, mn.RIGHT, buff=0.15)
            words.set_y(y)
            out.add(bar, words)
        return out

    def marks_after(self, rec, axes, xy, z, steps) -> list:
        """On the path: a ring at the step from which the floor flattens (labelled), shown once the path
        gets there. (The zigzag's arrows and the distance left are drawn in the top-down close-ups.)"""
        n = self.run_numbers(rec)
        f = n["flat"]
        fg, bg = color(theme.FOREGROUND), color(theme.BACKGROUND)
        self._axes, self._xy = axes, xy
        out = []
        # the floor hold's step right of its mark, off the path (which runs on down to the right) and short of ★;
        # the flattening's above its own mark (the path comes down to it from the left and rises on to the right),
        # off the sheet's lower rim
        for k, way in ((n["steady"], self.tag_ways[0]), (f, self.tag_ways[1])):
            q = np.asarray(axes.c2p(*xy[k], z[k]), float)
            ring = mn.VGroup(*[mn.Square(0.24, stroke_color=c, stroke_width=w).move_to(q)
                               for c, w in ((bg, 7), (fg, 3.5))])  # a square: rings mean a covered run elsewhere
            words = label(f"{k}", size=26, color=fg)  # as the chart's marks
            words.move_to(q).shift((way[0] + np.sign(way[0]) * words.width / 2) * mn.RIGHT + way[1] * mn.UP)
            words.add_background_rectangle(color=bg, opacity=0.7, buff=0.04)
            out.append(mn.VGroup(shown_from(ring, self._tracker, k), shown_from(words, self._tracker, k)))
        # the run's end: a dot with a dark rim (the path's head ends there, short of ★), once the path is drawn
        end = mn.Dot(axes.c2p(*xy[-1], z[-1]), radius=0.11, color=color("optimizer", "momentum"), stroke_color=bg,
                     stroke_width=3, fill_opacity=1)
        out.append(mn.VGroup(shown_from(end, self._tracker, float(len(xy) - 1)), mn.VGroup()))
        return out

    def run_loss(self, rec) -> np.ndarray:
        return np.asarray(rec[f"{self.plane}_run"].train_loss, float)

    def path_beats(self, rec, surf, v) -> list:
        """Three holds: in the zigzag (halfway to the floor: the step far below W, its chain folds back), where the
        step reaches W for good (the floor: the gradients agree), and where the floor starts to flatten (the
        gradient only falls from there)."""
        n = self.run_numbers(rec)
        f, L, W, a, k = n["flat"], n["L"], n["W"], n["steady"], n["k"]
        z = self.zig_step(n)
        run_loss = self.run_loss(rec)
        return [(z, f"Step {z} from above: its {z + 1} weighted gradients, tip to tail (white), flip across the "
                    f"valley. Yellow: their sum so far."),
                (a, f"From step {a} the gradients agree: the two curves meet, the step ≈ "
                    f"{k:g}·η·|gradient| ≈ {np.median(L[a:f]):.2g}."),
                (f, f"Along the floor the step follows the gradient, which peaks at the bend (step {f}, loss "
                    f"{run_loss[f]:.2g}); past it the floor flattens toward ★.")]

    def hold_after(self, rec, i: int) -> str | None:
        """After the zigzag hold, while the path runs to the floor: the band before it named, W falling onto
        the step."""
        if i:
            return None
        return ("The yellow band is the zigzag: long and short steps in turn. Past it the cross-valley gradients die "
                "out and white falls to yellow.")

    def intro(self, rec, surf):
        n = self.run_numbers(rec)
        return (f"Two weights, so this surface is the whole loss. Momentum starts at ○ and takes {n['n']} "
                f"steps toward ★ (loss 0).")

    def during(self, rec, surf, v):
        n = self.run_numbers(rec)
        return (f"Each step sums past gradients, each older one ×{n['beta']:g}: 1 + 0.9 + 0.81 + … = {n['k']:g}. "
                f"White: its size if all pointed one way.")

    def minimum_words(self, surf, v):
        return "minimum, loss 0" if v == 0 else f"minimum, loss {v:.3g}"

    def title(self, surf):
        return "Momentum on the Rosenbrock surface"

    def why(self, rec, surf, v):
        n = self.run_numbers(rec)
        f, g, L, loss = n["flat"], n["g"], n["L"], self.run_loss(rec)
        return (f"From that peak the gradient falls {g[f] / g[-1]:.0f}× and the steps with it, to {L[-1]:.2g}; the "
                f"loss falls from {loss[f]:.2g} to {loss[-1]:.2g}.")

    def takeaway(self, rec, surf, v):
        """Momentum's own lesson, from the chart (the evidence stays on screen): the step is the sum of past
        gradients; it stays far below W where they flip (cancel), reaches W ≈ k·η·|gradient| where they agree,
        and falls with the gradient near ★."""
        n = self.run_numbers(rec)
        return (f"Takeaway: Momentum sums past gradients. They cancel across the valley, add up to "
                f"{n['k']:g}·η·|gradient| on the floor, shrink near ★.")
