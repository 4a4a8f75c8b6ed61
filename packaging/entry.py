"""The bundled program's entry point: one script behind both executables of the PyInstaller build.

``inmyhead-gui`` starts the desktop app, ``inmyhead`` the command line; either one with
``--self-test`` runs the headless self-test (``inmyhead_app.selftest``) instead.
"""

from __future__ import annotations

import multiprocessing
import sys
from pathlib import Path


def main() -> int:
    # Parsers run in child processes; a frozen program must route those launches first.
    multiprocessing.freeze_support()
    args = sys.argv[1:]
    if args[:1] == ["--self-test"]:
        from inmyhead_app.selftest import main as selftest_main

        return selftest_main(args[1:])
    # By the name it was started as: on Linux `inmyhead-gui` is a symlink to `inmyhead`.
    if Path(sys.argv[0]).stem.endswith("-gui") or Path(sys.executable).stem.endswith("-gui"):
        from inmyhead_app.gui.app import main as gui_main

        return int(gui_main() or 0)
    from inmyhead_app.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
