"""CPython's side of `mp4j bench subprocess`: subprocess.run(["true"]) and 100 MiB through cat.

Usage: subprocess_bench.py RUN_TRIALS PIPE_TRIALS MEGABYTES
Prints `name value` lines: run_true_ms and run_true_capture_ms (medians, milliseconds),
cat_mb_s and cat_stream_mb_s (medians, MB/s = 10^6 bytes per second).
"""
import os
import statistics
import subprocess
import sys
import threading
import time


def run_true(capture):
    t0 = time.perf_counter()
    subprocess.run(["true"], capture_output=capture)
    return (time.perf_counter() - t0) * 1000


def through_cat(data):
    t0 = time.perf_counter()
    p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out, _ = p.communicate(data)
    dt = time.perf_counter() - t0
    if len(out) != len(data):
        raise SystemExit(f"cat returned {len(out)} bytes of {len(data)}")
    return len(data) / dt / 1e6


def through_cat_stream(data):
    """The same bytes through cat, read as they come and not kept: a writer thread, a read loop."""
    t0 = time.perf_counter()
    p = subprocess.Popen(["cat"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def feed():
        view = memoryview(data)
        for at in range(0, len(data), 65536):
            p.stdin.write(view[at:at + 65536])
        p.stdin.close()

    writer = threading.Thread(target=feed)
    writer.start()
    fd, buf, total = p.stdout.fileno(), bytearray(65536), 0
    while True:
        n = os.readv(fd, [buf])
        if n == 0:
            break
        total += n
    writer.join()
    p.wait()
    dt = time.perf_counter() - t0
    if total != len(data):
        raise SystemExit(f"cat returned {total} bytes of {len(data)}")
    return len(data) / dt / 1e6


def main():
    run_trials, pipe_trials, megabytes = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    for _ in range(20):
        run_true(False)
    print(f"run_true_ms {statistics.median(run_true(False) for _ in range(run_trials)):.4f}", flush=True)
    print(f"run_true_capture_ms {statistics.median(run_true(True) for _ in range(run_trials)):.4f}", flush=True)
    data = bytes(range(256)) * (megabytes * 1024 * 1024 // 256)
    through_cat(data)
    print(f"cat_mb_s {statistics.median(through_cat(data) for _ in range(pipe_trials)):.1f}", flush=True)
    through_cat_stream(data)
    print(f"cat_stream_mb_s {statistics.median(through_cat_stream(data) for _ in range(pipe_trials)):.1f}",
          flush=True)


if __name__ == "__main__":
    main()
