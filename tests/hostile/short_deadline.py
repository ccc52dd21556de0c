"""``python -m tests.hostile.short_deadline SECONDS ARGS...``: ``async-lanes ARGS`` as typed,
its writes to a pipe or a device given up after SECONDS instead of
:data:`~simulator.files.atomic.IN_PLACE_DEADLINE_S` (10 s): what happens then is the same,
and the row of a FIFO nobody reads need not wait the whole deadline for it."""

from __future__ import annotations

import sys

import simulator.files.atomic

if __name__ == "__main__":
    simulator.files.atomic.IN_PLACE_DEADLINE_S = float(sys.argv.pop(1))  # read at each write
    from app.launcher import main

    sys.exit(main())
