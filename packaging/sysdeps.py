"""Work out the Debian packages a PyInstaller bundle needs from the system.

PyInstaller copies most shared libraries into the bundle but leaves out the C library, the GL/EGL
drivers and any library it could not find on the build machine. Every ELF file in the bundle is
asked (with ``ldd``) what it links to; what resolves outside the bundle is mapped to its package
with ``dpkg -S``, and what is not found at all is mapped by a table of well-known sonames.
Dependencies of optional Qt plugins (Wayland decorations, input methods, ...) become Recommends.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# Sonames Qt or its plugins link to that PyInstaller may not find on a lean build machine.
KNOWN_PACKAGES = {
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libGLX.so.0": "libglx0",
    "libOpenGL.so.0": "libopengl0",
    "libwayland-client.so.0": "libwayland-client0",
    "libwayland-cursor.so.0": "libwayland-cursor0",
    "libwayland-egl.so.1": "libwayland-egl1",
    "libvulkan.so.1": "libvulkan1",
    "libdbus-1.so.3": "libdbus-1-3",
    "libfontconfig.so.1": "libfontconfig1",
    "libgbm.so.1": "libgbm1",
    "libdrm.so.2": "libdrm2",
}
# Not linked, but needed: Qt draws empty boxes when no font is installed, and its X11 platform
# plugin dlopens libxcb-cursor (Qt 6.5+ refuses to start on X11 without it).
ALWAYS = ("fonts-dejavu-core | fonts-liberation2 | fonts-noto-core", "libxcb-cursor0")
# Plugins every desktop start needs (the X11 platform); other Qt plugins are optional.
ESSENTIAL_PLUGINS = ("platforms/libqxcb.so", "xcbglintegrations/")
LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(not found|\S+)")


@dataclass
class SystemDeps:
    depends: list[str] = field(default_factory=list)
    recommends: list[str] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)  # sonames neither found nor known


def elf_files(bundle: Path) -> Iterable[Path]:
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    yield path


def is_optional(path: Path, bundle: Path) -> bool:
    relative = path.relative_to(bundle).as_posix()
    if "/plugins/" not in relative:
        return False
    return not any(part in relative for part in ESSENTIAL_PLUGINS)


def linked_libraries(path: Path, library_path: str) -> list[tuple[str, str]]:
    """(soname, resolved path or 'not found') for each library ``path`` links to."""
    env = {**os.environ, "LD_LIBRARY_PATH": library_path}
    result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, env=env, check=False)
    return [(m.group(1), m.group(2)) for line in result.stdout.splitlines() if (m := LDD_LINE.match(line))]


def owning_packages(paths: Iterable[str]) -> dict[str, str]:
    """Map system library paths to the Debian package that installed them (merged-/usr aware)."""
    candidates: dict[str, str] = {}
    for path in paths:
        real = os.path.realpath(path)
        for variant in {path, real, real.removeprefix("/usr"), path.removeprefix("/usr")}:
            candidates[variant] = path
    result = subprocess.run(["dpkg", "-S", *candidates], capture_output=True, text=True, check=False)
    owners: dict[str, str] = {}
    for line in result.stdout.splitlines():
        package, _, file = line.partition(": ")
        if file in candidates and "diversion" not in package:
            owners.setdefault(candidates[file], package.split(":")[0].split(",")[0].strip())
    return owners


def libc_requirement() -> str:
    """libc6 at least as new as the build machine's: the bundled Python was linked against it."""
    version = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "libc6"], capture_output=True, text=True, check=False
    ).stdout
    upstream = re.match(r"(\d+\.\d+)", version)
    return f"libc6 (>= {upstream.group(1)})" if upstream else "libc6"


def system_deps(bundle: Path) -> SystemDeps:
    bundle = bundle.resolve()
    library_dirs = sorted({str(p.parent) for p in bundle.rglob("*.so*")})
    library_path = os.pathsep.join(library_dirs)
    needed: dict[str, bool] = {}  # system path or soname -> required (False: optional plugin only)
    missing: dict[str, bool] = {}
    for elf in elf_files(bundle):
        required = not is_optional(elf, bundle)
        for soname, resolved in linked_libraries(elf, library_path):
            if resolved == "not found":
                missing[soname] = missing.get(soname, False) or required
            elif not resolved.startswith(str(bundle)):
                needed[resolved] = needed.get(resolved, False) or required
    owners = owning_packages(needed)
    deps = SystemDeps()
    required_pkgs: set[str] = set()
    optional_pkgs: set[str] = set()
    for path, required in needed.items():
        package = owners.get(path) or KNOWN_PACKAGES.get(Path(path).name)
        if package is None:
            deps.unresolved.append(path)
        elif package != "libc6":
            (required_pkgs if required else optional_pkgs).add(package)
    for soname, required in missing.items():
        package = KNOWN_PACKAGES.get(soname)
        if package is None:
            deps.unresolved.append(soname)
        else:
            (required_pkgs if required else optional_pkgs).add(package)
    deps.depends = [libc_requirement(), *sorted(required_pkgs), *ALWAYS]
    deps.recommends = sorted(optional_pkgs - required_pkgs)
    return deps


if __name__ == "__main__":
    import json
    import sys

    print(json.dumps(system_deps(Path(sys.argv[1])).__dict__, indent=2))
