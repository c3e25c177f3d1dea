"""CPython's side of `mp4j bench pool`.

Usage: pool.py TRIALS
Prints `name value` lines (medians of TRIALS trials): apply round trips in microseconds, throughputs in
tasks (or items) per second.
"""
import multiprocessing as mp
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from multiprocessing.pool import ThreadPool

N_APPLY = 5000
N_ASYNC = 100_000
N_MAP = 1_000_000


def identity(x):
    return x


def empty(x):
    return None


def apply_rt_us(apply):
    for i in range(500):
        apply(i)
    t = time.perf_counter()
    for i in range(N_APPLY):
        apply(i)
    return (time.perf_counter() - t) / N_APPLY * 1e6


def apply_median_us(apply):
    for i in range(500):
        apply(i)
    samples = []
    for i in range(N_APPLY):
        t = time.perf_counter()
        apply(i)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples) * 1e6


def median(trials, f):
    f()  # warm-up
    return statistics.median(f() for _ in range(trials))


def pool_async_rate(pool, n):
    t = time.perf_counter()
    results = [pool.apply_async(empty, (i,)) for i in range(n)]
    for r in results:
        r.get()
    return n / (time.perf_counter() - t)


def executor_rate(ex, n):
    t = time.perf_counter()
    futures = [ex.submit(empty, i) for i in range(n)]
    for f in futures:
        f.result()
    return n / (time.perf_counter() - t)


def map_rate(pool, data):
    t = time.perf_counter()
    pool.map(identity, data)
    return len(data) / (time.perf_counter() - t)


def main():
    trials = int(sys.argv[1])
    data = list(range(N_MAP))
    with mp.Pool(2) as pool:
        print("process_apply_us %.3f" % median(trials, lambda: apply_rt_us(lambda i: pool.apply(identity, (i,)))), flush=True)
        print("process_apply_median_us %.3f" % apply_median_us(lambda i: pool.apply(identity, (i,))), flush=True)
        print("process_async_per_s %.1f" % median(trials, lambda: pool_async_rate(pool, N_ASYNC)), flush=True)
        print("process_map_per_s %.1f" % median(trials, lambda: map_rate(pool, data)), flush=True)
    with ProcessPoolExecutor(2) as ex:
        print("ppe_async_per_s %.1f" % median(trials, lambda: executor_rate(ex, N_ASYNC // 5)), flush=True)
    with ThreadPoolExecutor(2) as ex:
        print("thread_apply_us %.3f" % median(trials, lambda: apply_rt_us(lambda i: ex.submit(identity, i).result())), flush=True)
        print("thread_apply_median_us %.3f" % apply_median_us(lambda i: ex.submit(identity, i).result()), flush=True)
        print("thread_async_per_s %.1f" % median(trials, lambda: executor_rate(ex, N_ASYNC)), flush=True)
    with ThreadPool(2) as pool:
        print("thread_map_per_s %.1f" % median(trials, lambda: map_rate(pool, data)), flush=True)


if __name__ == "__main__":
    main()
