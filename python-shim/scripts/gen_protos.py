"""Regenerate the checked-in protobuf/gRPC stubs under src/remotestore_dagster/_pb/.

Sources: the vendored go-plugin protos (python-shim/proto/plugin/*.proto) and the IO manager's
proto (iomanager/proto/iomanager/v1/iomanager.proto, when present). Each file is staged under
``remotestore_dagster/_pb/<relpath>`` so the generated modules import each other by their full
package path (``from remotestore_dagster._pb.plugin import ...``) instead of a bare top-level name.

    .venv/bin/python python-shim/scripts/gen_protos.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc  # type: ignore[import-untyped]

SHIM = Path(__file__).resolve().parents[1]
REPO = SHIM.parent
OUT = SHIM / "src"
PB = OUT / "remotestore_dagster" / "_pb"

SOURCES = {
    "plugin/grpc_controller.proto": SHIM / "proto" / "plugin" / "grpc_controller.proto",
    "plugin/grpc_stdio.proto": SHIM / "proto" / "plugin" / "grpc_stdio.proto",
    "iomanager/v1/iomanager.proto": REPO / "iomanager" / "proto" / "iomanager" / "v1" / "iomanager.proto",
}


def main() -> int:
    present = {rel: src for rel, src in SOURCES.items() if src.exists()}
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp)
        for rel, src in present.items():
            dst = stage / "remotestore_dagster" / "_pb" / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            text = src.read_text()
            # Imports between our own protos are rewritten to the staged location.
            for other in present:
                text = text.replace(f'import "{other}";', f'import "remotestore_dagster/_pb/{other}";')
            dst.write_text(text)
        well_known = Path(protoc.__file__).parent / "_proto"
        args = [
            "grpc_tools.protoc",
            f"-I{stage}",
            f"-I{well_known}",
            f"--python_out={OUT}",
            f"--pyi_out={OUT}",
            f"--grpc_python_out={OUT}",
        ] + [str(stage / "remotestore_dagster" / "_pb" / rel) for rel in present]
        if protoc.main(args) != 0:
            print("gen_protos: protoc failed", file=sys.stderr)
            return 1
    for d in {PB / Path(rel).parent for rel in present} | {PB}:
        for parent in [d, *d.parents]:
            if parent == OUT.parent or not str(parent).startswith(str(PB)):
                break
            (parent / "__init__.py").touch()
    missing = sorted(set(SOURCES) - set(present))
    print(f"gen_protos: generated {len(present)} protos into {PB}" + (f" (missing: {missing})" if missing else ""))
    shutil.rmtree(PB / "__pycache__", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
