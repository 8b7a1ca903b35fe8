"""Imported first by the fork server, before the worker module and its warm-up.

The fork server shields itself from SIGINT only after loading its preloads (a
second or so); a Ctrl-C to the process group in that window killed it, and
every worker it was to start. Ignoring SIGINT and SIGTERM here covers the
window, and the workers it forks inherit the shield: the parent decides when
they stop. The fork server still exits when the parent does (its pipe closes).
"""

from __future__ import annotations

import signal

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
