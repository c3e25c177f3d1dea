package io.github.multiprocessing4j.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects the records one logger of the JDK's logging (where {@code System.Logger} writes by default) logs while
 * this is open, those that {@code keep} accepts; opens the logger to {@code level} meanwhile and puts its own level
 * back on close.
 *
 * <pre>{@code
 * try (LogCapture log = LogCapture.of(ChildListener.class, Level.FINE, r -> r.getMessage().contains("x.sock"))) {
 *     ...
 *     await().until(() -> log.records().size() >= 1);
 * }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final Level levelBefore;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler handler;

    private LogCapture(String loggerName, Level level, Predicate<LogRecord> keep) {
        this.logger = Logger.getLogger(loggerName);
        this.levelBefore = logger.getLevel();
        this.handler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (keep.test(record)) {
                    records.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        if (level != null) {
            logger.setLevel(level);
        }
        logger.addHandler(handler);
    }

    /** Every record the logger named after {@code source} logs at its own level (INFO unless set). */
    public static LogCapture of(Class<?> source) {
        return of(source.getName(), null, r -> true);
    }

    /** The records of logger {@code loggerName} that {@code keep} accepts, the logger at {@code level} (null: as is). */
    public static LogCapture of(String loggerName, Level level, Predicate<LogRecord> keep) {
        return new LogCapture(loggerName, level, keep);
    }

    /** {@link #of(String, Level, Predicate)} for the logger named after {@code source}. */
    public static LogCapture of(Class<?> source, Level level, Predicate<LogRecord> keep) {
        return of(source.getName(), level, keep);
    }

    /** Whether a record's raw message (not formatted) holds {@code text}: a filter for {@link #of}. */
    public static Predicate<LogRecord> saying(String text) {
        return r -> r.getMessage() != null && r.getMessage().contains(text);
    }

    /** What was kept so far, in the order logged; a live view. */
    public List<LogRecord> records() {
        return records;
    }

    /** Each record as "LEVEL raw message". */
    public List<String> lines() {
        return records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
    }

    @Override
    public void close() {
        logger.removeHandler(handler);
        if (levelBefore != logger.getLevel()) {
            logger.setLevel(levelBefore);
        }
    }
}
