package io.github.multiprocessing4j.internal.wire;

/**
 * The type byte of every {@link Frame}. Handshake types come first; a connection accepts nothing else
 * until the handshake is done.
 */
public final class FrameType {
    // Handshake (see Handshake).
    public static final byte CHALLENGE = 1;
    public static final byte RESPONSE = 2;
    public static final byte WELCOME = 3;
    public static final byte FAILURE = 4;

    /** Child to parent, first frame after the handshake: launch token, pid and boot timings. */
    public static final byte HELLO = 10;

    /** Parent to child: run one task, report, exit (a {@code JvmProcess}). */
    public static final byte RUN = 20;
    /** Child to parent: the outcome of a {@link #RUN}. */
    public static final byte DONE = 21;

    /** Parent to worker: run the initializer and serve tasks until told to stop. */
    public static final byte SERVE = 30;
    /** Worker to parent: the initializer finished (payload: ok or a failure). */
    public static final byte READY = 31;
    /** Parent to worker: remember a function under an id, for the calls that follow. */
    public static final byte DEFINE = 32;
    /** Parent to worker: call a defined function with one argument. */
    public static final byte CALL = 33;
    /** Parent to worker: call a defined function on each argument of a chunk. */
    public static final byte CALL_CHUNK = 34;
    /** Parent to worker: run a callable or runnable sent with the frame. */
    public static final byte EXECUTE = 35;
    /** Worker to parent: a task's result. */
    public static final byte RESULT = 36;
    /** Worker to parent: a task's failure. */
    public static final byte ERROR = 37;
    /** Parent to worker: drop a task that has not started. */
    public static final byte CANCEL = 38;
    /** Worker to parent: a task was dropped by {@link #CANCEL} before it started. */
    public static final byte SKIPPED = 39;
    /** Parent to worker: forget a function. */
    public static final byte FORGET = 40;
    /** Parent to worker: finish and exit. */
    public static final byte STOP = 41;

    private FrameType() {
    }

    public static String name(byte type) {
        return switch (type) {
            case CHALLENGE -> "CHALLENGE";
            case RESPONSE -> "RESPONSE";
            case WELCOME -> "WELCOME";
            case FAILURE -> "FAILURE";
            case HELLO -> "HELLO";
            case RUN -> "RUN";
            case DONE -> "DONE";
            case SERVE -> "SERVE";
            case READY -> "READY";
            case DEFINE -> "DEFINE";
            case CALL -> "CALL";
            case CALL_CHUNK -> "CALL_CHUNK";
            case EXECUTE -> "EXECUTE";
            case RESULT -> "RESULT";
            case ERROR -> "ERROR";
            case CANCEL -> "CANCEL";
            case SKIPPED -> "SKIPPED";
            case FORGET -> "FORGET";
            case STOP -> "STOP";
            default -> "unknown(" + type + ")";
        };
    }
}
