package io.github.multiprocessing4j.internal.launch;

/**
 * Where the time of one child's life went, from {@link System#nanoTime()} stamps taken in the parent and
 * in the child (the clock is shared by all processes on Linux). A stamp is 0 when it was not taken.
 *
 * @param launch       parent: just before the process was started
 * @param main         child: entered {@code main}
 * @param socket       child: its Unix-domain socket was connected to the parent's
 * @param connected    child: finished the handshake
 * @param handedOver   parent: sent the task
 * @param received     child: received the task
 * @param decoded      child: decoded the task
 * @param finished     child: the task returned
 * @param exitObserved parent: saw the process exit
 */
public record PhaseTimings(long launch, long main, long socket, long connected, long handedOver, long received, long decoded,
                           long finished, long exitObserved) {

    /** Implemented by process handles that record their timings (benchmarks read them). */
    public interface Source {
        PhaseTimings timings();
    }

    public double bootMillis() {
        return millis(launch, main);
    }

    /** From {@code main} to a connected socket: mostly the JDK's first use of Unix-domain sockets. */
    public double connectMillis() {
        return millis(main, socket);
    }

    public double handshakeMillis() {
        return millis(socket, connected);
    }

    public double deliveryMillis() {
        return millis(handedOver, received);
    }

    public double decodeMillis() {
        return millis(received, decoded);
    }

    public double runMillis() {
        return millis(decoded, finished);
    }

    public double exitMillis() {
        return millis(finished, exitObserved);
    }

    private static double millis(long from, long to) {
        return from == 0 || to == 0 ? Double.NaN : (to - from) / 1e6;
    }
}
