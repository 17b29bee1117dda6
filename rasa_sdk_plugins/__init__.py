"""Plugins of the action server: rasa-sdk imports this package (by its name) when
`rasa run actions` starts, and calls `init_hooks` with its plugin manager.

Two plugins: `rasa_sdk_plugins.action_auth` locks the action server (rasa-sdk 3.6 authenticates
nothing, so anyone who reached its port could run `action_show_agenda`, or cancel, reschedule,
on a forged tracker); `rasa_sdk_plugins.first_use` migrates a fresh clone's SQLite database
before the first action needs it.
"""

from __future__ import annotations

import pluggy

from rasa_sdk_plugins.action_auth import ActionServerAuth
from rasa_sdk_plugins.first_use import FirstUseDatabase


def init_hooks(manager: pluggy.PluginManager) -> None:
    """Register the plugins with rasa-sdk's plugin manager."""
    manager.register(ActionServerAuth())
    manager.register(FirstUseDatabase())
