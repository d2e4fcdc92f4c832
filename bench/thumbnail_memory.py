"""Peak memory of a thumbnail: the worst image Loket still decodes, against a tiny one.

Each image is written to a file by one process and thumbnailed by a fresh one, which
first imports what the `http` function imports (the Flask app and boto3), so its peak
resident set (resource.getrusage's ru_maxrss) is what a Lambda container would reach.
The worst accepted images sit exactly at loket.domain.thumbnails' cap, in each format;
a decompression bomb shows what a refused image costs. serverless.yml's MemorySize
comes from the worst figure here. Run: `make bench`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "functions"))

from loket.domain.thumbnails import MAX_DECODE_MEMORY, decode_memory  # noqa: E402



def side(mode: str, image_format: str) -> int:
    """The side of the largest square image of this kind that still gets a thumbnail."""
    unit = decode_memory((1, 1), mode, image_format)
    return int((MAX_DECODE_MEMORY // unit) ** 0.5)


KINDS = [("PNG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGB"), ("WEBP", "RGBA"), ("GIF", "P"),
         ("PNG", "L")]
# name: (format, mode, (width, height)); "bomb" is a header claiming 100,000 squared.
CASES = {"baseline: 40x30 PNG": ("PNG", "RGB", (40, 30))}
CASES.update({f"{fmt} {mode} {side(mode, fmt)}^2": (fmt, mode, (side(mode, fmt),) * 2)
              for fmt, mode in KINDS})
# JPEG is capped on its draft: the largest accepted is the header's pixel limit.
CASES["JPEG RGB 11585^2"] = ("JPEG", "RGB", (11585, 11585))
CASES["PNG bomb (refused)"] = ("bomb", "RGBA", (100_000, 100_000))

MAKE = textwrap.dedent("""
    import sys
    from PIL import Image
    fmt, mode, width, height, path = sys.argv[1:]
    size = (int(width), int(height))
    if fmt == "bomb":
        from tests.unit.test_attachments import png_claiming
        open(path, "wb").write(png_claiming(*size))
        raise SystemExit
    # A gradient, not a flat colour: a file of a realistic size, decoded like a photo.
    ramp = Image.linear_gradient("L").resize(size)
    image = Image.merge("RGB", (ramp, ramp.transpose(Image.Transpose.FLIP_LEFT_RIGHT), ramp))
    image = image.convert(mode) if mode != "P" else image.quantize(64)
    image.save(path, fmt, **({"quality": 90} if fmt == "JPEG" else {}))
""")

MEASURE = textwrap.dedent("""
    import json, resource, sys
    import boto3, loket.web.app  # what the http function has loaded before a thumbnail
    from loket.domain.thumbnails import make_thumbnail
    data = open(sys.argv[1], "rb").read()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    png = make_thumbnail(data)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"before_kb": before, "peak_kb": after, "thumbnail": png is not None}))
""")


def python(code: str, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "functions")])}
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"thumbnail_memory: a measuring process failed:\n{done.stderr}")
    return done.stdout


def estimate(fmt: str, mode: str, width: int, height: int) -> str:
    if fmt in ("bomb", "JPEG"):
        return "-"
    return f"{decode_memory((width, height), mode, fmt) / 2**20:.1f}"


def main() -> None:
    print(f"peak RSS of one thumbnail in a fresh process that has imported the http function's "
          f"modules; cap {MAX_DECODE_MEMORY / 2**20:.0f} MiB as decode_memory() counts it")
    print(f"{'image':<28} {'file MB':>8} {'thumbnail':>9} {'peak MB':>8} {'over baseline MB':>17} "
          f"{'estimate MB':>12}")
    baseline = worst = None
    with tempfile.TemporaryDirectory(prefix="loket-thumb-") as folder:
        for name, (fmt, mode, (width, height)) in CASES.items():
            path = Path(folder) / "image"
            python(MAKE, fmt, mode, str(width), str(height), str(path))
            got = json.loads(python(MEASURE, str(path)).strip().splitlines()[-1])
            peak = got["peak_kb"] / 1024
            baseline = peak if baseline is None else baseline
            if got["thumbnail"]:
                worst = max(worst or 0.0, peak)
            print(f"{name:<28} {path.stat().st_size / 1e6:8.2f} "
                  f"{'made' if got['thumbnail'] else 'none':>9} {peak:8.1f} "
                  f"{peak - baseline:17.1f} {estimate(fmt, mode, width, height):>12}")
    print(f"worst accepted image: {worst:.0f} MB peak, {worst - baseline:.0f} MB over the "
          f"baseline of {baseline:.0f} MB")


if __name__ == "__main__":
    main()
