"""A real headless browser for tests: Debian's Chromium driven over the DevTools protocol on a pipe
(--remote-debugging-pipe: JSON messages separated by NUL on fds 3/4), so no driver or websocket
library is needed. `Browser.find()` is None where Chromium is not installed."""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time


class Browser:
    NAMES = ("chromium", "chromium-browser", "chromium-headless-shell", "google-chrome")

    @classmethod
    def find(cls) -> str | None:
        for n in cls.NAMES:
            p = shutil.which(n)
            if p:
                return p
        return None

    def __init__(self, width: int = 854, height: int = 520):
        exe = self.find()
        if exe is None:
            raise RuntimeError("no Chromium found")
        self.profile = tempfile.mkdtemp(prefix="nnviz-chromium-")
        r_ours, w_theirs = os.pipe()      # chromium writes on its fd 4 → we read
        r_theirs, w_ours = os.pipe()      # we write → chromium reads on its fd 3

        def fds():
            os.dup2(r_theirs, 3)
            os.dup2(w_theirs, 4)

        self.proc = subprocess.Popen(
            [exe, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--autoplay-policy=no-user-gesture-required", "--mute-audio", "--no-first-run",
             "--hide-scrollbars", f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
             "about:blank"],
            preexec_fn=fds, pass_fds=(3, 4), stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(r_theirs)
        os.close(w_theirs)
        self.rfd, self.wfd = r_ours, w_ours
        self.buf = b""
        self.next_id = 0
        self.events = []
        tid = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=tid, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Runtime.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def _read(self, timeout: float):
        end = time.monotonic() + timeout
        while b"\0" not in self.buf:
            if time.monotonic() > end or self.proc.poll() is not None:
                raise TimeoutError("no answer from Chromium")
            import select

            ready, _, _ = select.select([self.rfd], [], [], 0.2)
            if ready:
                chunk = os.read(self.rfd, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method: str, session: bool = False, timeout: float = 30.0, **params):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self.wfd, json.dumps(msg).encode() + b"\0")
        while True:
            r = self._read(timeout)
            if r.get("id") == self.next_id:
                if "error" in r:
                    raise RuntimeError(f"{method}: {r['error']}")
                return r.get("result", {})
            self.events.append(r)

    def goto(self, url: str, timeout: float = 30.0):
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("document.readyState === 'complete'", timeout)

    def eval(self, expr: str):
        r = self.call("Runtime.evaluate", session=True, expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"{expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_for(self, expr: str, timeout: float = 30.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.eval(f"Boolean({expr})"):
                return
            time.sleep(0.1)
        raise TimeoutError(f"timed out waiting for {expr}")

    def key(self, key: str, code: str | None = None, keycode: int = 0):
        """A real key press through the browser's input pipeline (keydown + keyup)."""
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", session=True, type=kind, key=key, code=code or key,
                      windowsVirtualKeyCode=keycode, nativeVirtualKeyCode=keycode)

    def screenshot(self) -> bytes:
        return base64.b64decode(self.call("Page.captureScreenshot", session=True, format="png")["data"])

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.rfd)
        os.close(self.wfd)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
