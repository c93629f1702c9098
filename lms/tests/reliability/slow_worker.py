"""`python -m lms.tests.reliability.slow_worker <celery arguments>`: a real Celery worker whose
first certificate rendering (or first cover derivation) is slowed down, so a fault test can kill it
mid-task at a known point. No production code changes: the function is wrapped before the worker
starts (the pool's child processes inherit the wrapper when they fork).

LMS_FAULT_SLOWED: `module:function` to slow (default `certificates.rendering:render_pdf`; the media
tests use `media.imaging:image_variants`).
LMS_FAULT_MARKER_DIR: every call touches `render-<pid>-<n>` there; the first one (of all the
workers sharing the directory) also writes its pid to `slowed` and then sleeps
LMS_FAULT_RENDER_DELAY seconds before doing its work."""

import os
import sys
import time
from pathlib import Path


def _slow_down_first_rendering() -> None:
    import importlib

    module_name, function = os.environ.get("LMS_FAULT_SLOWED", "certificates.rendering:render_pdf").split(":")
    module = importlib.import_module(module_name)
    original = getattr(module, function)
    markers = Path(os.environ["LMS_FAULT_MARKER_DIR"])
    delay = float(os.environ.get("LMS_FAULT_RENDER_DELAY", "30"))

    def slowed(*args, **kwargs):
        (markers / f"render-{os.getpid()}-{time.monotonic_ns()}").touch()
        claim = markers / f"claim-{os.getpid()}"
        claim.write_text(str(os.getpid()))
        try:
            os.link(claim, markers / "slowed")  # atomic: only the first rendering gets it
        except FileExistsError:
            pass
        else:
            time.sleep(delay)
        return original(*args, **kwargs)

    setattr(module, function, slowed)


if __name__ == "__main__":
    _slow_down_first_rendering()
    from celery.__main__ import main

    sys.exit(main())
