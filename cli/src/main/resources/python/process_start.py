"""CPython's side of `mp4j bench process`: Process.start(); join() of a trivial function.

Usage: process_start.py TRIALS APART_TRIALS APART_MILLIS
Prints one `name.i value` line per sample (milliseconds): spawn_ms.0, spawn_ms.1, ..., then
forkserver_ms.*, fork_ms.* and forkserver_apart_ms.*. `mp4j bench process` runs this
script once per round, between rounds of its own, and takes the medians of all the samples.
"""
import multiprocessing as mp
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


def report(name, samples):
    for i, ms in enumerate(samples):
        print(f"{name}.{i} {ms:.3f}", flush=True)


def main():
    trials, apart_trials, apart_ms = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    for method in ("spawn", "forkserver", "fork"):
        if method not in mp.get_all_start_methods():
            continue
        ctx = mp.get_context(method)
        for _ in range(3):
            start_join(ctx)
        report(f"{method}_ms", [start_join(ctx) for _ in range(trials)])
    if "forkserver" in mp.get_all_start_methods() and apart_trials > 0:
        ctx = mp.get_context("forkserver")
        samples = []
        for _ in range(apart_trials):
            time.sleep(apart_ms / 1000)
            samples.append(start_join(ctx))
        report("forkserver_apart_ms", samples)


if __name__ == "__main__":
    main()
