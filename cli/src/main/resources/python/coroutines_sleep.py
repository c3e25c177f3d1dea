"""CPython's side of `mp4j bench coroutines`: N coroutines each sleeping 1 s, then gathered.

Usage: coroutines_sleep.py N SLEEP_MS
Runs once, in this fresh process, and prints `name value` lines:
  wall_ms   from creating the first coroutine to the end of gather
  cpu_ms    CPU time of the process over the same span
  rss_base  resident set size (bytes) just before the coroutines are created
  rss_peak  peak resident set size (bytes, VmHWM) at the end
"""
import asyncio
import sys
import time


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return -1


async def sleeper(seconds):
    await asyncio.sleep(seconds)


async def run(n, seconds):
    await asyncio.gather(*(sleeper(seconds) for _ in range(n)))


def main():
    n, sleep_ms = int(sys.argv[1]), int(sys.argv[2])
    base = status("VmRSS")
    t0, c0 = time.perf_counter(), time.process_time()
    asyncio.run(run(n, sleep_ms / 1000))
    t1, c1 = time.perf_counter(), time.process_time()
    print(f"wall_ms {(t1 - t0) * 1000:.1f}")
    print(f"cpu_ms {(c1 - c0) * 1000:.1f}")
    print(f"rss_base {base}")
    print(f"rss_peak {status('VmHWM')}", flush=True)


if __name__ == "__main__":
    main()
