"""Registry of signal types by name. Adding a hash type = one module + one ``register`` call."""

from __future__ import annotations

from collections.abc import Iterator

from hashwarden.core.errors import UnknownSignalTypeError
from hashwarden.core.signals.base import SignalType


class SignalRegistry:
    def __init__(self) -> None:
        self._types: dict[str, type[SignalType]] = {}
        self._aliases: dict[str, str] = {}

    def register(self, signal_type: type[SignalType]) -> type[SignalType]:
        name = signal_type.name
        if name in self._types and self._types[name] is not signal_type:
            raise ValueError(f"signal type {name!r} registered twice")
        self._types[name] = signal_type
        for alias in (name, *signal_type.aliases):
            self._aliases[_fold(alias)] = name
        return signal_type

    def get(self, name: str) -> type[SignalType]:
        canonical = self._aliases.get(_fold(name))
        if canonical is None:
            raise UnknownSignalTypeError(name)
        return self._types[canonical]

    def canonical_name(self, name: str) -> str:
        return self.get(name).name

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _fold(name) in self._aliases

    def __iter__(self) -> Iterator[type[SignalType]]:
        return iter(self._types.values())

    def names(self) -> list[str]:
        return list(self._types)

    def parse(self, type_name: str, raw: str) -> tuple[str, str]:
        """Resolve the type name and canonicalise the value in one step."""
        signal_type = self.get(type_name)
        return signal_type.name, signal_type.parse(raw)


def _fold(name: str) -> str:
    return name.strip().lower().replace("-", "_").replace("+", "_").replace(" ", "_")


def default_registry() -> SignalRegistry:
    """The registry with every built-in type."""
    from hashwarden.core.signals.crypto import MD5, SHA1, SHA256
    from hashwarden.core.signals.opaque import PhotoDNA, TmkPdqf
    from hashwarden.core.signals.orb import ORB
    from hashwarden.core.signals.pdq import PDQ
    from hashwarden.core.signals.vpdq import VPDQ

    registry = SignalRegistry()
    for signal_type in (MD5, SHA1, SHA256, PDQ, VPDQ, PhotoDNA, TmkPdqf, ORB):
        registry.register(signal_type)
    return registry


#: The process-wide registry with the built-in types.
SIGNALS = default_registry()
