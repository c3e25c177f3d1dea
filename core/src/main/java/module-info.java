/**
 * multiprocessing4j: Python's multiprocessing, subprocess and asyncio toolkit on the JVM.
 *
 * <p>Only the API packages are exported; {@code io.github.multiprocessing4j.internal.*} is the machinery.
 */
module io.github.multiprocessing4j {
    exports io.github.multiprocessing4j.async;
    exports io.github.multiprocessing4j.codec;
    exports io.github.multiprocessing4j.function;
    exports io.github.multiprocessing4j.pool;
    exports io.github.multiprocessing4j.process;
    exports io.github.multiprocessing4j.subprocess;
}
