"""`python -m lms.tests.reliability.slow_worker <celery arguments>`: a real Celery worker whose
first certificate rendering (or first cover derivation) is slowed down, so a fault test can kill it
mid-task at a known point. No production code changes: the function is wrapped before the worker
starts (the pool's child processes inherit the wrapper when they fork).

LMS_FAULT_SLOWED: `module:function` to slow (default `certificates.rendering:render_pdf`; the media
tests use `media.imaging:image_variants`), or `eraser:<name>` for one of the privacy registry's erasers
(wrapped in each pool process once Django is set up, since the registry is filled by the apps' ready()).
LMS_FAULT_MARKER_DIR: every call touches `render-<pid>-<n>` there; the first one (of all the
workers sharing the directory) also writes its pid to `slowed` and then sleeps
LMS_FAULT_RENDER_DELAY seconds before doing its work."""

import os
import sys
import time
from pathlib import Path


def _slowed(original):
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

    return slowed


def _slow_down_eraser(name: str) -> None:
    from celery.signals import worker_process_init

    @worker_process_init.connect(weak=False)
    def wrap(**kwargs):
        from dataclasses import replace

        from privacy import registry

        eraser = registry._erasers[name]
        registry._erasers[name] = replace(eraser, erase=_slowed(eraser.erase))


def _slow_down_first_rendering() -> None:
    import importlib

    target = os.environ.get("LMS_FAULT_SLOWED", "certificates.rendering:render_pdf")
    if target.startswith("eraser:"):
        _slow_down_eraser(target.removeprefix("eraser:"))
        return
    module_name, function = target.split(":")
    module = importlib.import_module(module_name)
    setattr(module, function, _slowed(getattr(module, function)))


if __name__ == "__main__":
    _slow_down_first_rendering()
    from celery.__main__ import main

    sys.exit(main())
