package io.github.multiprocessing4j.process;

import java.io.Serial;

/**
 * Stands in for an exception thrown in a child JVM that could not be recreated here (its class is not
 * serializable, its {@code readObject} failed, the deserialization filter refused it, or its causes are
 * nested too deeply to serialize, a thousand deep, say). It keeps what can always travel: the class name,
 * the message and the child's stack trace as text, which {@link #getMessage()} includes, as CPython's
 * {@code RemoteTraceback} does.
 *
 * <p>When the child's exception can be recreated, callers get that exception itself instead, with the
 * child's stack trace.
 *
 * {@snippet :
 * try (JvmProcess child = JvmProcess.start("import", () -> importFile(path))) {
 *     child.join();
 *     if (child.failure().orElse(null) instanceof RemoteTaskException e) {
 *         System.err.println(e.remoteClassName() + " in the child:\n" + e.remoteStackTrace());
 *     }
 * }
 * }
 */
public class RemoteTaskException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final String remoteClassName;
    private final String remoteMessage;
    private final String remoteStackTrace;

    public RemoteTaskException(String remoteClassName, String remoteMessage, String remoteStackTrace, String where,
                               Throwable whyNotRecreated) {
        super(remoteClassName + (remoteMessage == null ? "" : ": " + remoteMessage)
                + "\n--- stack trace in " + where + " ---\n" + remoteStackTrace.stripTrailing(), whyNotRecreated);
        this.remoteClassName = remoteClassName;
        this.remoteMessage = remoteMessage;
        this.remoteStackTrace = remoteStackTrace;
    }

    /** The binary name of the exception class thrown in the child. */
    public String remoteClassName() {
        return remoteClassName;
    }

    /** The message of the child's exception, or null. */
    public String remoteMessage() {
        return remoteMessage;
    }

    /** The child's stack trace, as {@link Throwable#printStackTrace()} wrote it there. */
    public String remoteStackTrace() {
        return remoteStackTrace;
    }
}
