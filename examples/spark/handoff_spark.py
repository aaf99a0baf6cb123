#!/usr/bin/env python3
"""A sharded handoff audit on Apache Spark (docs/scale-out.md).

The manifest's ranks are cut into blocks; each Spark task runs the `handoff` binary on its
block (`audit --manifest M --ranks A-B --emit-partial -`) through the DataFrame API's
`mapInArrow`, which works on Spark Connect too (Databricks serverless and standard access
mode, where `RDD.pipe` is not available). The driver collects the partials and runs
`handoff merge` with the report flags given after `--`: the report is byte for byte the one
`handoff audit` prints for all the files.

    handoff manifest exports/ > m.tsv
    python3 examples/spark/handoff_spark.py --handoff /opt/handoff/bin/handoff \
        --manifest m.tsv --shards 64 -- --format json --output report.json

Requirements: pyspark, pyarrow and pandas >= 2.2 (pyspark 4 requires it for mapInArrow);
every executor must see the binary at the absolute path given (ship a static musl build: executors may have an older glibc than the build machine)
and the manifest's file names (a shared or mounted filesystem, e.g. /dbfs/..., or names
relative to --workdir). A failing `handoff audit` fails its task (its exit code and stderr
are raised); Spark's retry runs the block again, and the partial of the attempt that
succeeded is the only one collected. Extra `audit` flags (the same for every shard, e.g.
--config, --topics, --filter) go in --audit-arg, repeated.
"""

import argparse
import os
import subprocess
import sys
import tempfile


def blocks(files, shards):
    """Ranks 0..files-1 cut into at most `shards` contiguous inclusive blocks."""
    out = []
    for s in range(shards):
        a, b = s * files // shards, (s + 1) * files // shards
        if a < b:
            out.append((a, b - 1))
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--handoff", required=True, help="absolute path of handoff on executors")
    p.add_argument("--manifest", required=True, help="from `handoff manifest`")
    p.add_argument("--shards", type=int, default=0, help="tasks (default: one per file)")
    p.add_argument("--workdir", default=os.getcwd(), help="where relative names resolve")
    p.add_argument("--audit-arg", action="append", default=[], help="extra audit flag")
    p.add_argument("--master", default=None, help="e.g. local[2]; default: spark-submit's")
    p.add_argument("merge_args", nargs=argparse.REMAINDER, help="-- then `merge` flags")
    args = p.parse_args()
    if not os.path.isabs(args.handoff):
        # A task's child does not have the driver's PATH or working directory.
        sys.exit("--handoff must be an absolute path")
    merge_args = args.merge_args[1:] if args.merge_args[:1] == ["--"] else args.merge_args

    with open(args.manifest, "rb") as f:
        manifest = f.read()  # shipped byte for byte: partials carry its digest
    # `#skipped` lines (paths the walk passed over) follow the files and hold no rank.
    files = sum(1 for line in manifest.splitlines() if not line.startswith(b"#"))
    ranges = blocks(files, args.shards or files)

    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("handoff")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()

    handoff, workdir, audit_args = args.handoff, args.workdir, list(args.audit_arg)

    def audit_blocks(batches):
        import pyarrow as pa

        for batch in batches:
            firsts = batch.column("first").to_pylist()
            lasts = batch.column("last").to_pylist()
            partials = []
            with tempfile.TemporaryDirectory() as tmp:
                m = os.path.join(tmp, "manifest.tsv")
                with open(m, "wb") as f:
                    f.write(manifest)
                for a, b in zip(firsts, lasts):
                    proc = subprocess.run(
                        [handoff, "audit", "--quiet", "--manifest", m, "--ranks", f"{a}-{b}",
                         "--emit-partial", "-", *audit_args],
                        cwd=workdir, capture_output=True, text=True,
                    )
                    if proc.returncode != 0:
                        raise RuntimeError(
                            f"handoff audit --ranks {a}-{b} failed "
                            f"(exit {proc.returncode}): {proc.stderr.strip()}"
                        )
                    partials.append(proc.stdout)
            yield pa.RecordBatch.from_arrays(
                [pa.array(firsts, pa.int64()), pa.array(partials, pa.large_string())],
                names=["first", "partial"],
            )

    df = spark.createDataFrame(ranges, "first long, last long").repartition(len(ranges))
    rows = df.mapInArrow(audit_blocks, "first long, partial string").collect()
    spark.stop()

    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for row in sorted(rows, key=lambda r: r["first"]):
            path = os.path.join(tmp, f"p-{row['first']}.json")
            with open(path, "w") as f:
                f.write(row["partial"])
            paths.append(path)
        merged = subprocess.run([handoff, "merge", *paths, *merge_args], cwd=workdir)
    sys.exit(merged.returncode)


if __name__ == "__main__":
    main()
