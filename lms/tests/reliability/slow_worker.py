"""`python -m lms.tests.reliability.slow_worker <celery arguments>`: a real Celery worker whose
first certificate rendering is slowed down, so a fault test can kill it mid-task at a known point.
No production code changes: the rendering function is wrapped before the worker starts (the pool's
child processes inherit the wrapper when they fork).

LMS_FAULT_MARKER_DIR: every rendering touches `render-<pid>-<n>` there; the first one (of all the
workers sharing the directory) also writes its pid to `slowed` and then sleeps
LMS_FAULT_RENDER_DELAY seconds before rendering."""

import os
import sys
import time
from pathlib import Path


def _slow_down_first_rendering() -> None:
    from certificates import rendering

    original = rendering.render_pdf
    markers = Path(os.environ["LMS_FAULT_MARKER_DIR"])
    delay = float(os.environ.get("LMS_FAULT_RENDER_DELAY", "30"))

    def render_pdf(**kwargs):
        (markers / f"render-{os.getpid()}-{time.monotonic_ns()}").touch()
        claim = markers / f"claim-{os.getpid()}"
        claim.write_text(str(os.getpid()))
        try:
            os.link(claim, markers / "slowed")  # atomic: only the first rendering gets it
        except FileExistsError:
            pass
        else:
            time.sleep(delay)
        return original(**kwargs)

    rendering.render_pdf = render_pdf


if __name__ == "__main__":
    _slow_down_first_rendering()
    from celery.__main__ import main

    sys.exit(main())
