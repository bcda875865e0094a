"""Let python-threatexchange's vPDQ extension import where Meta's compiled ``vpdq`` is absent.

The extension imports the compiled hasher at module level, although what the tests use from it
(``VPDQSignal.validate_signal_str``, ``compare_hash``, ``json_to_vpdq``) is pure Python. The
compiled package needs FFmpeg's headers to build, so CI does not install it; when it is missing,
a placeholder module takes its name, and anything that would really call it fails loudly.
"""

from __future__ import annotations

import importlib.util
import sys
import types


class _NotInstalled:
    def __init__(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("Meta's compiled vpdq package is not installed")


def provide_vpdq_module() -> None:
    if "vpdq" in sys.modules or importlib.util.find_spec("vpdq") is not None:
        return
    placeholder = types.ModuleType("vpdq", "placeholder: the compiled vpdq is not installed")

    def missing(name: str) -> type[_NotInstalled]:
        if name.startswith("__"):
            raise AttributeError(name)
        return _NotInstalled

    placeholder.__dict__["__getattr__"] = missing
    sys.modules["vpdq"] = placeholder
