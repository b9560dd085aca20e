"""iCalendar export and import (extra ``ics``): meetings as VEVENT, supervision items as VTODO.

Importing this module needs ``pip install 'secretarial[ics]'``; ``import secretarial``
does not load it.
"""

from secretarial.adapters._ics import export_ics, import_events

__all__ = ["export_ics", "import_events"]
