"""CPython's side of `mp4j bench process`: Process.start(); join() of a trivial function.

Usage: process_start.py TRIALS APART_TRIALS APART_MILLIS
Prints `name value` lines (milliseconds, medians).
"""
import multiprocessing as mp
import statistics
import sys
import time


def noop():
    pass


def start_join(ctx):
    t0 = time.perf_counter()
    p = ctx.Process(target=noop)
    p.start()
    p.join()
    return (time.perf_counter() - t0) * 1000


def main():
    trials, apart_trials, apart_ms = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    for method in ("spawn", "forkserver", "fork"):
        if method not in mp.get_all_start_methods():
            continue
        ctx = mp.get_context(method)
        for _ in range(3):
            start_join(ctx)
        print(f"{method}_ms {statistics.median(start_join(ctx) for _ in range(trials)):.3f}", flush=True)
    for method in ("forkserver", "spawn"):
        if method not in mp.get_all_start_methods():
            continue
        ctx = mp.get_context(method)
        start_join(ctx)
        samples = []
        for _ in range(apart_trials):
            time.sleep(apart_ms / 1000)
            samples.append(start_join(ctx))
        print(f"{method}_apart_ms {statistics.median(samples):.3f}", flush=True)


if __name__ == "__main__":
    main()
