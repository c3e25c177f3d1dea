package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.process.ProcessStartException;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * The warm spare: one idle child JVM, booted and authenticated ahead of time, that the next launch with
 * the same {@link LaunchSpec} takes over instead of booting a JVM of its own. Python's forkserver plays
 * the same role.
 *
 * <p>Lifecycle: there is no spare until the first {@link #take}; each take hands over the spare (or boots
 * a child if there is none for that spec) and, once that child is connected, boots the next spare in the
 * background, so the spare's boot overlaps the task's run rather than its start. A spare for another spec
 * is closed. A spare that died while idle is noticed and replaced by a fresh launch. Spares are ordinary
 * children: they exit when this JVM does, however it ends.
 *
 * <p>{@code -Dmp4j.spare=false} turns spares off.
 *
 * <p>Thread-safe.
 */
public final class SpareJvms {
    private static final System.Logger LOG = System.getLogger(SpareJvms.class.getName());
    private static final SpareJvms INSTANCE = new SpareJvms(ChildLauncher.get());

    private final ChildLauncher launcher;
    private final boolean enabled = !"false".equalsIgnoreCase(System.getProperty("mp4j.spare"));
    /** Guarded by this. */
    private LaunchSpec spareSpec;
    /** Guarded by this. */
    private ChildJvm spare;
    /** Guarded by this. */
    private boolean hookInstalled;

    SpareJvms(ChildLauncher launcher) {
        this.launcher = launcher;
    }

    public static SpareJvms get() {
        return INSTANCE;
    }

    /**
     * A connected child for {@code spec}: the spare if there is a live one, or a fresh launch.
     *
     * @throws ProcessStartException if a fresh child fails to start
     */
    public ChildJvm take(LaunchSpec spec, Duration connectTimeout) throws InterruptedException {
        ChildJvm candidate = takeSpare(spec);
        ChildJvm child = null;
        if (candidate != null) {
            try {
                candidate.awaitConnected(connectTimeout);
                if (candidate.process().isAlive()) {
                    child = candidate;
                } else {
                    candidate.close();
                }
            } catch (ProcessStartException e) {
                LOG.log(Level.DEBUG, "the spare died before it connected; starting a fresh child: {0}", e.getMessage());
            }
        }
        if (child == null) {
            child = launcher.launch(spec);
            child.awaitConnected(connectTimeout);
        }
        if (enabled) {
            // Off the caller's path: starting a process costs the parent a few milliseconds.
            Thread.ofVirtual().name("mp4j-spare").start(() -> replenish(spec));
        }
        return child;
    }

    /** Boots a spare for {@code spec} now, if there is none, so that the first take is fast too. */
    public void prestart(LaunchSpec spec) {
        if (enabled) {
            replenish(spec);
        }
    }

    private synchronized ChildJvm takeSpare(LaunchSpec spec) {
        if (spare == null || !spec.equals(spareSpec)) {
            return null;
        }
        ChildJvm taken = spare;
        spare = null;
        return taken;
    }

    private synchronized void replenish(LaunchSpec spec) {
        if (spare != null && spec.equals(spareSpec) && spare.process().isAlive()) {
            return;
        }
        if (spare != null) {
            spare.close();
        } else if (!hookInstalled) {
            // An idle spare has nothing to finish: kill it at exit rather than wait for it to notice.
            Runtime.getRuntime().addShutdownHook(new Thread(this::killSpare, "mp4j-spare-cleanup"));
            hookInstalled = true;
        }
        spareSpec = spec;
        spare = launcher.launch(spec);
    }

    private synchronized void killSpare() {
        if (spare != null) {
            spare.kill();
            spare = null;
        }
    }

    /** Closes the spare, if any (tests, and pools that want no extra JVM). */
    public synchronized void closeSpare() {
        if (spare != null) {
            spare.close();
            spare = null;
        }
    }

    /** The pid of the current spare, or -1 (tests). */
    public synchronized long sparePid() {
        return spare == null ? -1 : spare.pid();
    }
}
