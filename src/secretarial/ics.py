"""iCalendar export and import (extra ``ics``): meetings as VEVENT, supervision items as VTODO.

:func:`read_events` reads a calendar from Outlook, Exchange, Google or this library and
reports the events it could not import (:class:`ImportReport`); :func:`import_events` is
its all-or-none form. :func:`export_ics` writes meetings, supervision items and duty
shifts. See ``docs/ics.md``.

Importing this module needs ``pip install 'secretarial[ics]'``; ``import secretarial``
does not load it.
"""

from secretarial.adapters._ics import (
    ImportedMeetings,
    ImportReport,
    SkippedEvent,
    export_ics,
    import_events,
    read_events,
)

__all__ = [
    "ImportReport",
    "ImportedMeetings",
    "SkippedEvent",
    "export_ics",
    "import_events",
    "read_events",
]

for _obj in (ImportReport, ImportedMeetings, SkippedEvent):
    _obj.__module__ = "secretarial.ics"
del _obj
