"""Plugins: extend an office without changing the library (pluggy, project ``secretarial``).

A plugin implements some of the hooks specified in ``secretarial.plugins._hookspecs``
(veto a change, react after commit, write numbers, supply the calendar, extend a
workflow table, deliver reminders, add to a daily brief) with functions marked by
:data:`hookimpl`::

    from secretarial.plugins import hookimpl

    class TitleGuard:
        @hookimpl
        def secretarial_veto_transition(self, entity, trigger):
            if trigger == "approve" and "测试" in getattr(entity, "title", ""):
                return "a test document is not approved"
            return None

    office = Office.in_memory(plugins=[TitleGuard()])

Installed plugins are found through the entry-point group ``secretarial``
(``[project.entry-points.secretarial]`` in the plugin's ``pyproject.toml``) when an
office is made, unless it is made with ``load_entry_points=False``. Importing
:mod:`secretarial` does not import this package (nor pluggy); an office with no plugin
does not either.
"""

from secretarial.plugins._hookspecs import hookspec as hookspec
from secretarial.plugins._manager import ENTRY_POINT_GROUP as ENTRY_POINT_GROUP
from secretarial.plugins._manager import BriefSection as BriefSection
from secretarial.plugins._manager import PluginFailure as PluginFailure
from secretarial.plugins._manager import PluginNumbering as PluginNumbering
from secretarial.plugins._manager import Plugins as Plugins
from secretarial.plugins._manager import PluginSink as PluginSink
from secretarial.plugins._manager import hookimpl as hookimpl

__all__ = [
    "ENTRY_POINT_GROUP",
    "BriefSection",
    "PluginFailure",
    "PluginNumbering",
    "PluginSink",
    "Plugins",
    "hookimpl",
    "hookspec",
]

# Public classes report the public path, so tracebacks and docs never show a private module.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("secretarial.plugins."):
        _obj.__module__ = "secretarial.plugins"
del _name, _obj
