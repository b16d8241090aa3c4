"""Giant clusters: thousands of pages of one template, scanned.

    python -m benchmarks.giant [--pages 1000] [--pages 10000] [--uncapped-up-to 1000]

A site template or a story reprinted thousands of times puts every page in the same
LSH buckets. Each size is scanned in a fresh process (so peak memory is that scan's):
``dedup scan`` of a folder of such pages (``file N says hello to the world of tiny files
number N``, one page a file), with the default ``LshOptions.bucket_hubs`` and, up to
``--uncapped-up-to`` pages, with ``bucket_hubs=0`` (every pair of a bucket, the rule
before the cap). Reported: wall time, peak resident memory, pairs verified, and the
clusters the pairs form.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "measure"]

_CHILD = """
import json, resource, sys, time
from pathlib import Path
from dedup import Detector, Document, Kind, clusters
from dedup.options import DetectorOptions, LshOptions
folder, hubs = Path(sys.argv[1]), int(sys.argv[2])
pages = [Document(p.name, p.read_text()) for p in sorted(folder.iterdir())]
total = {}
def progress(phase, done, all_):
    if all_:
        total[phase] = all_
start = time.perf_counter()
options = DetectorOptions(lsh=LshOptions(bucket_hubs=hubs))
result = Detector(options=options).scan(pages, kinds=set(Kind), progress=progress)
found = clusters(result.matches)
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "verified": total.get("comparing", 0),
    "clusters": [len(c.ids) for c in found],
}))
"""


def measure(pages: int, hubs: int) -> dict[str, object]:
    """Scan ``pages`` template pages with ``bucket_hubs=hubs`` in a fresh process."""
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(pages):
            text = f"file {k} says hello to the world of tiny files number {k}\n"
            (Path(tmp) / f"file{k:05d}.txt").write_text(text)
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, tmp, str(hubs)],
            check=True,
            capture_output=True,
            text=True,
        )
    figures: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main(argv: Sequence[str] | None = None) -> int:
    from dedup.options import LshOptions

    parser = argparse.ArgumentParser(prog="python -m benchmarks.giant", description=__doc__)
    parser.add_argument("--pages", type=int, action="append", help="sizes (1000, 10000)")
    parser.add_argument("--uncapped-up-to", type=int, default=1000)
    args = parser.parse_args(argv)
    default = LshOptions().bucket_hubs
    print("| pages | bucket_hubs | seconds | peak RSS | pairs verified | clusters |")
    print("|---:|---:|---:|---:|---:|---|")
    for pages in args.pages or [1000, 10000]:
        for hubs in (default, 0) if pages <= args.uncapped_up_to else (default,):
            f = measure(pages, hubs)
            sizes = f["clusters"]
            assert isinstance(sizes, list)
            print(
                f"| {pages:,} | {hubs} | {f['seconds']:.1f} | {f['peak_mb']:,.0f} MB | "
                f"{f['verified']:,} | {len(sizes)} ({', '.join(map(str, sizes[:3]))}) |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
