"""Lunar dates and solar terms from the ``lunar_python`` package (extra ``china``).

``lunar_python`` converts between the Gregorian and the Chinese lunisolar calendar and
computes the 24 solar terms astronomically (Beijing time), for any year; it is pure
Python, MIT-licensed and maintained together with its Java and JavaScript twins. The
provisional years of the Chinese calendar take their Spring Festival, Dragon Boat and
Mid-Autumn days and the solar term 清明 from it, rather than from tables of our own.
"""

from __future__ import annotations

from datetime import date
from functools import cache, lru_cache
from importlib import metadata
from typing import Any

from secretarial.errors import MissingExtraError

__all__ = ["LunarPythonCalendar", "lunar_calendar"]


def _lunar_module() -> Any:
    try:
        import lunar_python  # type: ignore[import-untyped]  # noqa: PLC0415 -- optional extra
    except ImportError as exc:
        raise MissingExtraError(
            "lunar_python", "china", "Provisional years of the Chinese calendar"
        ) from exc
    return lunar_python


class LunarPythonCalendar:
    """A :class:`~secretarial.kernel.LunarCalendar` backed by ``lunar_python``.

    Raises:
        MissingExtraError: ``lunar_python`` is not installed
            (``pip install 'secretarial[china]'``).
    """

    def __init__(self) -> None:
        self._lunar = _lunar_module()
        try:
            version = metadata.version("lunar_python")
        except metadata.PackageNotFoundError:  # pragma: no cover -- vendored copies
            version = "unknown version"
        self._source = f"lunar_python {version}"

    @property
    def source(self) -> str:
        """The package and version the dates come from."""
        return self._source

    @lru_cache(maxsize=512)  # noqa: B019 -- one instance per process (lunar_calendar)
    def solar_date(self, lunar_year: int, month: int, day: int, /) -> date:
        """The Gregorian date of ``day`` of lunar ``month`` of ``lunar_year``."""
        solar = self._lunar.Lunar.fromYmd(lunar_year, month, day).getSolar()
        return date(solar.getYear(), solar.getMonth(), solar.getDay())

    @lru_cache(maxsize=256)  # noqa: B019 -- one instance per process (lunar_calendar)
    def qingming(self, year: int, /) -> date:
        """The day of the solar term 清明 in Gregorian ``year``."""
        table = self._lunar.Solar.fromYmd(year, 4, 4).getLunar().getJieQiTable()
        solar = table["清明"]
        found = date(solar.getYear(), solar.getMonth(), solar.getDay())
        if found.year != year:  # pragma: no cover -- guards a change in the package
            raise ValueError(f"lunar_python gave 清明 {found} for {year}")
        return found

    def __repr__(self) -> str:
        return f"LunarPythonCalendar({self._source!r})"


@cache
def lunar_calendar() -> LunarPythonCalendar:
    """The lunar calendar of the process (built once).

    Raises:
        MissingExtraError: ``lunar_python`` is not installed.
    """
    return LunarPythonCalendar()
