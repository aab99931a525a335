"""The `nnviz` command (also `python -m nnviz`): list, train, render, figure, build, clean.

Thin: argument parsing and messages live here; the work is done by
nnviz.experiments, nnviz.render.runner, nnviz.figures and nnviz.build. Every
NNVizError is printed as one line and exits with status 2 (1 for failed builds).
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import replace
import tempfile
import time
from pathlib import Path

from . import folders
from .errors import NNVizError

QUALITY_HELP = "l=854x480@15, m=1280x720@30, h=1920x1080@60, p=2560x1440@60, k=3840x2160@60"


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="nnviz", description="Train small networks in NumPy, record everything, "
                                 "render Manim animations and matplotlib figures from the records.")
    ap.add_argument("--manifest", help="path to renders.toml (default: found from the current directory)")
    sub = ap.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("list", help="experiments, scenes, figures and build targets")
    p.add_argument("what", nargs="?", choices=["experiments", "scenes", "figures", "targets"], help="only this kind")

    p = sub.add_parser("train", help="run experiments and cache their records")
    p.add_argument("names", nargs="+", metavar="NAME")
    p.add_argument("--force", action="store_true", help="recompute even if cached")
    p.add_argument("--no-progress", action="store_true", help="no progress line (shown on a terminal)")

    p = sub.add_parser("render", help="render a scene (file[:Class] or file Class) or a manifest target",
                       formatter_class=argparse.RawDescriptionHelpFormatter,
                       epilog="examples:\n  nnviz render scenes/showcase_intro.py -ql --format gif\n"
                              "  nnviz render scenes/descent_regimes.py DescentRegimes --set run_time=4 -qm\n"
                              "  nnviz render intro --format png      # a target from renders.toml")
    p.add_argument("scene", metavar="SCENE_OR_TARGET")
    p.add_argument("cls", nargs="?", metavar="CLASS")
    q = p.add_mutually_exclusive_group()
    for flag, name in (("l", "low"), ("m", "medium"), ("h", "high"), ("p", "production"), ("k", "fourk")):
        q.add_argument(f"-q{flag}", dest="quality", action="store_const", const=name, help=f"{name} quality")
    q.add_argument("--quality", choices=["low", "medium", "high", "production", "fourk", "l", "m", "h", "p", "k"],
                   help=QUALITY_HELP)
    p.add_argument("--format", dest="formats", action="append", metavar="FMT",
                   help="mp4 | gif | webm | png (png = last frame); repeat or comma-separate for several")
    p.add_argument("--fps", type=float, help="frame rate (overrides the quality's)")
    p.add_argument("--resolution", metavar="WxH", help="pixel size, e.g. 1280x720")
    p.add_argument("-t", "--transparent", action="store_true", help="transparent background (webm, gif, png)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="ATTR=VALUE",
                   help="override a scene class attribute, e.g. --set learning_rate=0.3 (repeatable)")
    p.add_argument("--theme", choices=["dark", "light"], help="colour theme (default: the target's, else dark)")
    p.add_argument("--poster", help='which frame the png is: auto (default: the final state, or the last '
                   'frame before a closing fade-out) | last | a time like 2.5s | a share like 40%%')
    p.add_argument("--gif-fps", type=float, help="GIF frame rate (default 12)")
    p.add_argument("--gif-width", type=int, help="GIF width in pixels (default 480)")
    p.add_argument("--gif-colors", type=int, help="GIF palette size 2..256 (default 128)")
    p.add_argument("-o", "--output", help="output path without extension (default renders/<name>)")
    p.add_argument("--no-progress", action="store_true")

    p = sub.add_parser("figure", help="draw a matplotlib still")
    p.add_argument("name")
    p.add_argument("--format", dest="formats", action="append", metavar="FMT", help="png | svg | pdf (repeatable)")
    p.add_argument("--dpi", type=int)
    p.add_argument("--theme", choices=["dark", "light"], help="colour theme (default: white paper)")
    p.add_argument("-o", "--output", help="output path without extension (default renders/figures/<name>)")

    p = sub.add_parser("build", help="render what changed in renders.toml")
    p.add_argument("targets", nargs="*", metavar="TARGET", help="targets or groups (default: all)")
    p.add_argument("-j", "--jobs", type=int, default=1, help="render N targets at once (separate processes)")
    p.add_argument("--force", action="store_true", help="rebuild even if up to date")
    p.add_argument("-n", "--dry-run", action="store_true", help="show what would be built")
    p.add_argument("--no-progress", action="store_true")
    bq = p.add_mutually_exclusive_group()
    for flag, name in (("l", "low"), ("m", "medium"), ("h", "high"), ("p", "production"), ("k", "fourk")):
        bq.add_argument(f"-q{flag}", dest="quality", action="store_const", const=name,
                        help=f"render every selected scene target at {name} quality")
    bq.add_argument("--quality", choices=["low", "medium", "high", "production", "fourk"],
                    help="override the manifest's quality for this build (part of each target's key)")

    p = sub.add_parser("slides", help="an HTML slide deck (+ PDF handout) from scenes' slide breaks",
                       description="Render scene targets with their slide breaks (self.pause) as sections and "
                                   "write renders/slides/NAME/: index.html (←/→/space, f = fullscreen, no network), "
                                   "one clip and poster per section, and handout.pdf.")
    p.add_argument("targets", nargs="+", metavar="TARGET_OR_GROUP")
    p.add_argument("-o", "--output", help="deck folder (default renders/slides/NAME)")
    sq = p.add_mutually_exclusive_group()
    for flag, name in (("l", "low"), ("m", "medium"), ("h", "high"), ("p", "production"), ("k", "fourk")):
        sq.add_argument(f"-q{flag}", dest="quality", action="store_const", const=name, help=f"{name} quality")
    p.add_argument("--embed", action="store_true", help="put clips and posters inside index.html (one file)")
    p.add_argument("--theme", choices=["dark", "light"],
                   help="colour theme for the whole deck and handout (default: the targets'; light for bright rooms)")
    p.add_argument("--video", choices=["mp4", "webm"], default="mp4", help="clip format (default mp4)")
    p.add_argument("--no-progress", action="store_true")

    p = sub.add_parser("init", help="scaffold a project folder of your own (manifest, experiment, scene, figure)")
    p.add_argument("folder", metavar="DIR")

    p = sub.add_parser("clean", help="remove manim working media, temp files and build state")
    p.add_argument("--records", action="store_true", help="also remove cached experiment records")
    p.add_argument("--outputs", action="store_true", help="also remove the manifest's outputs in renders/")
    for sp in sub.choices.values():       # --manifest also after the command: nnviz build --manifest x.toml
        sp.add_argument("--manifest", default=argparse.SUPPRESS, help="path to renders.toml")
    return ap


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    one_line_warnings()
    try:
        return {"list": cmd_list, "train": cmd_train, "render": cmd_render, "figure": cmd_figure,
                "build": cmd_build, "clean": cmd_clean, "slides": cmd_slides, "init": cmd_init}[args.cmd](args)
    except NNVizError as e:
        print(f"nnviz: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:   # the disk, not the input: read-only, full, permissions
        print(f"nnviz: error: {describe_os_error(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nnviz: interrupted", file=sys.stderr)
        return 130


def describe_os_error(e: OSError) -> str:
    """One line for a failed file operation: what failed, where, and what to do."""
    import errno

    where = f" ({e.filename})" if e.filename else ""
    what = e.strerror or str(e)
    if e.errno == errno.EROFS:
        return f"cannot write{where}: read-only file system; make it writable (outputs already there are kept)"
    if e.errno == errno.ENOSPC:
        return f"no space left on device{where}; free some space and run again (outputs already there are kept)"
    if e.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied{where}; check the folder's owner and mode"
    return f"{what.lower() if what else 'file operation failed'}{where}"


def one_line_warnings() -> None:
    """nnviz's own warnings (a damaged record being recomputed, …) print as one line."""
    import warnings

    pkg = str(Path(__file__).resolve().parent)
    default = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        if str(filename).startswith(pkg):
            print(f"nnviz: warning: {message}", file=file or sys.stderr)
        else:
            default(message, category, filename, lineno, file, line)

    warnings.showwarning = show


def _root(args) -> Path:
    from .build import find_manifest

    if args.manifest:
        return Path(args.manifest).resolve().parent
    try:
        return find_manifest().parent
    except NNVizError:
        return Path.cwd()


def _manifest(args, required: bool = True, names=None):
    """The manifest. `names=None` (list, train): broken targets are named one line each on stderr
    and left out. Otherwise (build, render, slides) it refuses while a requested target (all when
    `names` is empty) or anything outside the targets is broken, and warns about the rest."""
    from .build import load_manifest
    from .build.manifest import ManifestError

    try:
        m = load_manifest(args.manifest, strict=False) if (args.manifest or required) else load_manifest(strict=False)
    except NNVizError as e:  # no manifest, or one that does not parse: say which, keep listing the rest
        if args.manifest or required:
            raise
        args.manifest_error = str(e)
        return None
    if names is not None:
        stop = m.broken(names)
        if stop:
            raise ManifestError(f"{m.path} is invalid:\n  - " + "\n  - ".join(stop))
    for _, msg in m.problems:
        print(f"nnviz: warning: {m.path.name}: {msg} (left out)", file=sys.stderr)
    return m


def _project(args, required: bool = False, names=None):
    """The manifest (if any) with its [settings] modules imported and its record cache chosen:
    the one discovery every command shares. `names`: see _manifest (refuse while they are broken)."""
    from .build import import_project_modules

    m = _manifest(args, required=required, names=names)
    if m is not None:
        import_project_modules(m.modules)
        folders.use_project(m.root)
    return m


# --- list -------------------------------------------------------------------------------

def cmd_list(args) -> int:
    from . import experiments
    from .build import figure_index
    from .render.runner import scene_classes

    m = _project(args)
    root = m.root if m else _root(args)
    show = args.what
    if show in (None, "experiments"):
        print("experiments (nnviz train NAME):")
        for n, e in sorted(experiments.discover().items()):
            mark = "cached" if experiments.is_cached(n) else "      "
            print(f"  {n:28s} {mark}  {e.description}")
    if show in (None, "scenes"):
        print("scenes (nnviz render FILE CLASS):")
        for f in sorted((root / "scenes").glob("*.py")):
            try:
                names = scene_classes(f)
            except NNVizError:
                continue
            print(f"  {f.relative_to(root)}: {', '.join(names)}")
    if show in (None, "figures"):
        print("figures (nnviz figure NAME):")
        for n, (mod, exps) in sorted(figure_index(None, m.modules if m else ()).items()):
            print(f"  {n:28s} {mod.name}  reads: {', '.join(exps) or '-'}")
    if show in (None, "targets"):
        if m is None:
            print(f"targets: {getattr(args, 'manifest_error', 'no renders.toml found')}")
        else:
            print(f"build targets ({m.path.name}; nnviz build NAME):")
            for n, t in m.targets.items():
                what = f"{Path(t.scene).name}:{t.cls}" if t.kind == "scene" else f"figure {t.figure}"
                fmts = t.options.formats if t.kind == "scene" else t.formats
                print(f"  {n:28s} {what}  [{', '.join(fmts)}]")
            print("groups:")
            for g, members in m.groups.items():
                print(f"  {g:28s} {', '.join(members)}")
    return 0


# --- train -------------------------------------------------------------------------------

def cmd_train(args) -> int:
    from . import experiments

    m = _project(args)
    from . import train as T

    show = not args.no_progress and (sys.stderr.isatty() or os.environ.get("NNVIZ_PROGRESS") == "1")
    for i, n in enumerate(args.names, start=1):
        exp = experiments.get(n)
        stamp = _stamp(exp.path() / "manifest.json")
        t0 = time.perf_counter()
        runs = []

        def hook(run_name, epoch, epochs, n=n, i=i, t0=t0):
            if not runs or runs[-1] != run_name or epoch == 1:
                runs.append(run_name)
            done = int(24 * epoch / max(epochs, 1))
            sys.stderr.write(f"\r[{i}/{len(args.names)}] {n}  run {len(runs)} {run_name or ''}  "
                             f"[{'#' * done}{'.' * (24 - done)}] epoch {epoch}/{epochs}  "
                             f"{time.perf_counter() - t0:.1f}s\033[K")
            sys.stderr.flush()

        T.progress_hook = hook if show else None     # called only while an experiment computes
        try:
            recs = experiments.run(n, force=args.force)
        finally:
            T.progress_hook = None
            if show and runs:
                sys.stderr.write("\r\033[K")
        # the entry is rewritten (a new file) exactly when the records were computed, here or by a
        # concurrent run; a damaged entry is recomputed too, so "was there before" is not "cached"
        fresh = stamp is not None and _stamp(exp.path() / "manifest.json") == stamp
        how = "cached" if fresh else f"computed in {time.perf_counter() - t0:.1f}s"
        print(f"{n}: {len(recs)} records ({', '.join(recs)}) {how} → {exp.path()}")
    return 0


def _stamp(p: Path):
    try:
        st = p.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


# --- render ------------------------------------------------------------------------------

def _formats(values, default) -> tuple:
    if not values:
        return tuple(default)
    out = []
    for v in values:
        out += [x.strip() for x in v.split(",") if x.strip()]
    return tuple(out)


def _overrides(items) -> dict:
    from .render.runner import parse_value

    out = {}
    for it in items:
        if "=" not in it:
            raise NNVizError(f"--set expects ATTR=VALUE, got {it!r}")
        k, v = it.split("=", 1)
        out[k.strip()] = parse_value(v.strip())
    return out


def cmd_render(args) -> int:
    from dataclasses import replace

    from .render.runner import GifOptions, RenderOptions

    overrides = _overrides(args.overrides)
    target = None
    scene_arg = args.scene
    if ":" in scene_arg and args.cls is None:
        scene_arg, args.cls = scene_arg.rsplit(":", 1)
    # the project's own experiments and figures ([settings] modules), as every command knows them
    m = _project(args, required=not scene_arg.endswith(".py"),
                 names=None if scene_arg.endswith(".py") else [scene_arg])
    if not scene_arg.endswith(".py"):
        if scene_arg not in m.targets or m.targets[scene_arg].kind != "scene":
            valid = [n for n, t in m.targets.items() if t.kind == "scene"]
            from .errors import did_you_mean

            raise NNVizError(f"{scene_arg!r} is neither a .py scene file nor a scene target; "
                             f"targets: {', '.join(valid)}{did_you_mean(scene_arg, valid)}")
        target = m.targets[scene_arg]
    gif_kw = {k: v for k, v in (("fps", args.gif_fps), ("width", args.gif_width), ("colors", args.gif_colors))
              if v is not None}
    if target is not None:
        base = target.options
        opts = RenderOptions(quality=args.quality or base.quality, formats=_formats(args.formats, base.formats),
                             fps=args.fps or base.fps, resolution=args.resolution or base.resolution,
                             transparent=args.transparent or base.transparent, gif=replace(base.gif, **gif_kw),
                             poster=args.poster or base.poster, theme=args.theme or base.theme)
        scene_file, cls_name = target.scene, target.cls
        overrides = {**target.overrides, **overrides}
        name = target.output
        root = m.root
        if opts == base and overrides == target.overrides and not args.output:
            # exactly the manifest target: build it (records, atomic install, state)
            from .build import build

            res = build([target.name], force=True, manifest=m, progress=not args.no_progress)
            return 0 if all(o.status == "built" for o in res) else 1
    else:
        scene_file = Path(scene_arg)
        from .render.runner import scene_classes

        if args.cls is None:
            names = scene_classes(scene_file)
            if len(names) != 1:
                raise NNVizError(f"{scene_file} defines {', '.join(names) or 'no classes'}; name one: "
                                 f"nnviz render {scene_file} CLASS")
            args.cls = names[0]
        cls_name = args.cls
        opts = RenderOptions(quality=args.quality or "low", formats=_formats(args.formats, ["mp4"]), fps=args.fps,
                             resolution=args.resolution, transparent=args.transparent, gif=GifOptions(**gif_kw),
                             poster=args.poster or "auto", theme=args.theme)
        name = cls_name
        root = _root(args)
    return _render_now(scene_file, cls_name, overrides, opts, name, root, args, target)


def _render_now(scene_file, cls_name, overrides, opts, name, root, args, target) -> int:
    from .render.runner import load_scene_class, render, use_theme, with_overrides

    use_theme(opts.theme)      # before the scene (and the kit) is imported
    folders.use_project(root)
    dest = Path(args.output) if args.output else root / "renders" / name
    tmp_root = root / "renders" / ".tmp"
    tmp_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=tmp_root, prefix=f"render-{os.getpid()}-"))
    try:
        cls = with_overrides(load_scene_class(scene_file, cls_name), overrides)
        res = render(cls, tmp / "out", name, opts, media_dir=tmp / "media",
                     tex_dir=root / "renders" / ".cache" / "typst" / "adhoc", progress=not args.no_progress)
        for fmt, src in res.files.items():
            final = dest.with_name(dest.name + f".{fmt}")
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, final)
            print(final)
        if target is not None:   # renders/<target>.* now differ from the manifest's: mark it stale
            from .build import State

            State(root).forget(target.name)
        print(f"rendered {cls_name} in {res.seconds:.1f}s", file=sys.stderr)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


# --- figure / build / clean -----------------------------------------------------------------

def cmd_figure(args) -> int:
    from . import figures

    m = _project(args)
    root = m.root if m else _root(args)
    folders.use_project(root)
    if args.dpi is not None and args.dpi <= 0:
        raise NNVizError(f"--dpi must be a positive integer, got {args.dpi}")
    fmts = _formats(args.formats, ["png"])
    if args.theme:
        from . import theme

        theme.use(args.theme)
    bad = [f for f in fmts if f not in figures.FORMATS]
    if bad:
        raise NNVizError(f"unknown figure format {', '.join(bad)}; valid: {', '.join(figures.FORMATS)}")
    spec = figures.get(args.name)
    from . import experiments

    for e in spec.experiments:
        experiments.load(e)
    dest = Path(args.output) if args.output else root / "renders" / "figures" / args.name
    for f in fmts:
        print(figures.save(args.name, dest.with_name(dest.name + f".{f}"), f, dpi=args.dpi))
    return 0


def cmd_build(args) -> int:
    from .build import build

    m = _manifest(args, names=args.targets)
    if args.quality:
        # the quality is one of each target's inputs, so switching it back and forth rebuilds
        m.targets = {n: (replace(t, options=replace(t.options, quality=args.quality)) if t.kind == "scene" else t)
                     for n, t in m.targets.items()}
    res = build(args.targets, jobs=args.jobs, force=args.force, dry_run=args.dry_run,
                manifest=m, progress=not args.no_progress)
    return 1 if any(o.status == "failed" for o in res) else 0


def cmd_slides(args) -> int:
    from .deck import build_deck

    m = _manifest(args, names=args.targets)
    index = build_deck(m, args.targets, out_dir=args.output, quality=args.quality, embed=args.embed,
                       video=args.video, progress=not args.no_progress, theme=args.theme)
    print(index)
    print(index.parent / "handout.pdf")
    return 0


def cmd_init(args) -> int:
    from .scaffold import init

    for p in init(args.folder):
        print(p)
    print(f"next: cd {args.folder} && nnviz build", file=sys.stderr)
    return 0


def cmd_clean(args) -> int:
    from .build import clean

    m = _manifest(args, required=False)
    root = m.root if m else _root(args)
    removed = clean(root, records=args.records, outputs_of=m if args.outputs else None)
    for p in removed:
        print(f"removed {p}")
    if not removed:
        print("nothing to clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
