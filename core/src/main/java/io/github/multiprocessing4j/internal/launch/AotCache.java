package io.github.multiprocessing4j.internal.launch;

import io.github.multiprocessing4j.internal.config.Settings;
import io.github.multiprocessing4j.internal.session.LibraryThreads;
import io.github.multiprocessing4j.internal.session.PrivatePaths;
import io.github.multiprocessing4j.internal.session.Session;
import io.github.multiprocessing4j.internal.tracker.StaleSessionSweeper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A JDK 25 AOT cache for child JVMs, made once per JDK, class path and option set, and reused by every
 * later child on the machine.
 *
 * <p>The first launch that finds no cache starts a <em>training run</em> in the background: an ordinary
 * child with the same command line plus {@code -XX:AOTCacheOutput}, which boots, connects, authenticates,
 * runs a task that exercises the codec ({@code AotTraining}) and writes the cache when it exits. Because
 * the trainee is a real child, the cache holds what children load and nothing of the parent's.
 * Children launched meanwhile boot without it. If this JVM is about to exit while the training runs, its
 * exit waits for the training (a few seconds, once per class path), so that short programs — a CLI run —
 * get their cache too. A training child that does not finish its task within a minute, or exit within another,
 * is killed with the JVM it started, and said so in a warning. The cache is written in a folder of the training's
 * own (0700: nobody else can open what the JDK makes there, whatever the umask) and renamed into place, and a file
 * lock keeps two JVMs from training the same key at once; within one JVM, trainings run one at a time.
 *
 * <p>Guards: an AOT cache covers classes from jars only, and the JDK refuses to train with a non-empty
 * directory on the class path, so the cache is used only when the class path is all jars (an IDE or a
 * test run with {@code target/classes} boots children without it). The JDK prints AOT warnings on
 * stdout; children redirect JVM warnings to stderr (see {@link JavaCommand}), and keep quiet about a cache
 * of ours that the JDK refuses (a truncated file, say): such a child boots as if it had none. The JDK checks
 * a cache's header, not its contents, and a cache damaged inside crashes the JVM that maps it: a child that
 * dies booting with a cache has it deleted ({@link #drop}), and a {@code JvmProcess} start launches again
 * without it (the crashed child's report on stdout and its {@code hs_err} file are the JDK's). Users who pick
 * their own archive ({@code -XX:AOTCache}, {@code -XX:SharedArchiveFile}, {@code -Xshare}, in the options or
 * in {@code JAVA_TOOL_OPTIONS} and the like) keep it. A cache runs
 * code in every child that loads it, so it is loaded (and trained) only in a folder that nobody but this
 * user can write to, and only if nobody else can write the file ({@link PrivatePaths}); caches are made
 * mode 0600.
 *
 * <p>System properties: {@code mp4j.aot=false} turns it off; {@code mp4j.aot.dir} moves the cache folder
 * (default {@code $XDG_CACHE_HOME/multiprocessing4j/aot} or {@code ~/.cache/multiprocessing4j/aot}).
 */
final class AotCache {
    private static final System.Logger LOG = System.getLogger(AotCache.class.getName());
    private static final long EXIT_WAIT_SECONDS = 20;
    private static final int KEPT_CACHES = 8;
    private static final Pattern TRAINING_FILE = Pattern.compile("([0-9a-f]+)\\.aot\\.\\d{1,18}\\.tmp.*");

    private final JavaRuntime runtime;
    private final Path fixedDirectory;
    private final Meanwhile meanwhile;
    private final Set<String> trainingStarted = ConcurrentHashMap.newKeySet();
    /** The manifest Class-Path of each jar on the class path, by path: read again when the jar changes. */
    private final Map<Path, ManifestClassPath> manifestClassPaths = new ConcurrentHashMap<>();
    /** Keys whose cache was dropped for being open to others: dropped once per JVM, not at every lookup. */
    private final Set<String> dropped = ConcurrentHashMap.newKeySet();
    /** Cache folders found open to others, each reported once. */
    private final Set<Path> distrusted = ConcurrentHashMap.newKeySet();
    /**
     * One training at a time: each is a JVM that needs a core for seconds. Its thread is made by whichever thread
     * queues a training when none is alive (the first to start a child, a request's, say): in the library's group,
     * where a program's ThreadGroup.interrupt() does not reach the training's waits (an interrupted one kills the
     * training, and no cache is made), and at the normal priority, not that thread's.
     */
    private final ThreadPoolExecutor trainings = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), LibraryThreads.daemon("mp4j-aot-training")
                    .inheritInheritableThreadLocals(false).factory());
    private final AtomicBoolean exitWaitRegistered = new AtomicBoolean();
    /** Set when this JVM exits: trainings still queued are dropped. */
    private volatile boolean exiting;

    AotCache(JavaRuntime runtime) {
        this(runtime, null);
    }

    /** @param directory where the caches live, or null for the configured {@link #directory()} */
    AotCache(JavaRuntime runtime, Path directory) {
        this(runtime, directory, () -> { });
    }

    /**
     * {@link #AotCache(JavaRuntime, Path)}, with {@code meanwhile} run once a cache has passed its checks, just
     * before {@link #lookup} hands out its path: in tests, what another user could do then.
     */
    AotCache(JavaRuntime runtime, Path directory, Meanwhile meanwhile) {
        this.runtime = runtime;
        this.fixedDirectory = directory;
        this.meanwhile = meanwhile;
        trainings.allowCoreThreadTimeOut(true); // no idle thread for the JVM's life once the trainings are done
    }

    /** Something done between a cache's checks and the handing out of its path. */
    @FunctionalInterface
    interface Meanwhile {
        void act() throws IOException;
    }

    /** Runs a training child that writes its AOT cache to the given file when it exits. */
    interface Trainer {
        /**
         * @return the training child's exit value
         * @throws TimeoutException if the child got stuck, and was killed (with what it started) for it
         */
        int train(Path output) throws IOException, InterruptedException, TimeoutException;
    }

    /**
     * The cache for children launched with {@code spec}, or null if there is none yet (a training run is
     * then started, once) or it does not apply.
     */
    Path lookup(LaunchSpec spec, Trainer trainer) {
        if (!enabled(spec)) {
            return null;
        }
        Path configured = fixedDirectory != null ? fixedDirectory : directory();
        String key = key(spec);
        // Checked and used by its path without links, resolved once: a link on the way that another user can
        // point elsewhere (one planted under /tmp, where XDG_CACHE_HOME points) would otherwise name, by the time
        // a child maps the cache, a folder of theirs other than the one checked.
        Path dir = configured;
        boolean exists = Files.exists(configured, LinkOption.NOFOLLOW_LINKS);
        if (exists) {
            dir = realFolder(configured);
            if (dir == null || !isPrivateFolder(dir)) {
                return null; // neither load nor train in a folder that others could write to
            }
        }
        Path cache = dir.resolve(key + ".aot");
        if (exists && Files.isRegularFile(cache, LinkOption.NOFOLLOW_LINKS)) { // no folder checked, nothing loaded
            if (isPrivateFile(dir, cache)) {
                try {
                    meanwhile.act();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return cache;
            }
            if (!isOwnFile(cache) || !dropped.add(key)) {
                return null;
            }
            // Ours, in our own folder, but others may write it (an older version left it so, under umask
            // 002): never load it, make it again.
            try {
                Files.deleteIfExists(cache);
                trainingStarted.remove(key);
            } catch (IOException e) {
                return null;
            }
        }
        if (trainingStarted.add(key)) {
            Path where = dir;
            trainings.execute(() -> {
                if (!exiting) {
                    train(where, key, trainer);
                }
            });
            if (exitWaitRegistered.compareAndSet(false, true)) {
                Session.beforeShutdown(this::finishAtExit);
            }
        }
        return null;
    }

    /**
     * Deletes {@code cache} (a path {@link #lookup} returned), which a child died booting with: the JDK
     * checks a cache's header but not its contents, and a damaged one (a few bad bytes will do) crashes
     * every JVM that maps it, so no child would start again until the file was gone. Later lookups find no
     * cache: one made in an earlier run is trained again, once per JVM; one this JVM trained is not.
     */
    void drop(Path cache) {
        try {
            if (Files.deleteIfExists(cache)) {
                LOG.log(Level.DEBUG, "a child JVM died before it connected back, booting with the AOT cache {0};"
                        + " deleted it", cache);
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "could not delete the AOT cache " + cache, e);
        }
    }

    /** Waits until the trainings queued so far have ended (they run one at a time, in order). */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        try {
            trainings.submit(() -> { }).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return true; // this JVM is exiting: nothing more will train
        } catch (ExecutionException e) {
            throw new AssertionError("an empty task failed", e);
        } catch (TimeoutException e) {
            return false;
        }
    }

    /**
     * A training run takes a few seconds. If this JVM ends first, the one under way is finished rather than
     * wasted (the next run of the program then boots its children from the cache), within one overall
     * deadline; the ones still queued are dropped.
     */
    private void finishAtExit() {
        exiting = true;
        trainings.shutdown();
        try {
            trainings.awaitTermination(EXIT_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException ignored) {
            // exit now
        }
    }

    /** {@code dir} without links, or null (said once) if that cannot be read: a link to nowhere, say. */
    private Path realFolder(Path dir) {
        try {
            return dir.toRealPath();
        } catch (IOException e) {
            distrust(dir, "cannot check who may write to it: " + e);
            return null;
        }
    }

    private static boolean isOwnFile(Path cache) {
        try {
            return PrivatePaths.isOwnFile(cache);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** True if only this user (and root) can change what is in {@code dir}; see {@link PrivatePaths}. */
    private boolean isPrivateFolder(Path dir) {
        try {
            if (PrivatePaths.isPrivateFolder(dir)) {
                return true;
            }
            distrust(dir, "the folder, or one of its parents, belongs to another user or others may write to it");
        } catch (IOException | RuntimeException e) {
            distrust(dir, "cannot check who may write to it: " + e);
        }
        return false;
    }

    /**
     * True if nobody but this user can have written {@code file} (in a folder already found private). Says
     * why not, unless the file is this user's own: that one is made again, or was just made.
     */
    private boolean isPrivateFile(Path dir, Path file) {
        try {
            if (PrivatePaths.isPrivateFile(file)) {
                return true;
            }
            if (!PrivatePaths.isOwnFile(file)) {
                distrust(dir, file.getFileName() + " belongs to another user or others may write to it");
            }
        } catch (IOException | RuntimeException e) {
            distrust(dir, "cannot check who may write to it: " + e);
        }
        return false;
    }

    /** Says once per folder why children boot without a cache from it. */
    private void distrust(Path dir, String why) {
        if (distrusted.add(dir)) {
            LOG.log(Level.WARNING, "not using the AOT cache folder " + dir + ": " + why + ". Children boot without "
                    + "an AOT cache; point -Dmp4j.aot.dir to a folder of your own (mode 0700)");
        }
    }

    private boolean enabled(LaunchSpec spec) {
        return Settings.isOn(Settings.AOT)
                && runtime.feature() >= 25
                && runtime.modulePath().isEmpty()
                && runtime.classPathIsJarsOnly()
                && !JavaCommand.userManagesArchive(spec);
    }

    static Path directory() {
        String configured = System.getProperty("mp4j.aot.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("multiprocessing4j").resolve("aot");
    }

    /**
     * Everything the JDK checks when it opens a cache, and everything that changes what is in it, including
     * the options the child's launcher reads from the environment ({@code JAVA_TOOL_OPTIONS} and the like:
     * the JDK refuses a cache trained without the {@code --add-modules} or {@code -XX:-UseCompressedOops}
     * found there, and the child boots without it). Not the
     * ordinary system properties of a launch: a cache does not depend on them, and a program whose children
     * differ only in a {@code -D} would otherwise train (and prune) one cache per variant.
     */
    private String key(LaunchSpec spec) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            StringBuilder text = new StringBuilder()
                    .append(runtime.java()).append('\n')
                    .append(System.getProperty("java.vm.version")).append('\n')
                    .append(runtime.inheritedFlags()).append('\n')
                    .append(spec.jvmOptions()).append('\n')
                    .append(moduleProperties(spec)).append('\n')
                    .append(JavaCommand.optionVariables(spec)).append('\n');
            Set<Path> seen = new HashSet<>();
            for (String entry : runtime.classPath().split(File.pathSeparator)) {
                appendClassPathEntry(text, Path.of(entry), seen);
            }
            byte[] digest = sha.digest(text.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 12);
        } catch (NoSuchAlgorithmException | IOException e) {
            throw new IllegalStateException("cannot compute the AOT cache key", e);
        }
    }

    /**
     * Appends {@code entry}'s path, size and time of change, then those of the jars its manifest's
     * {@code Class-Path} names, which the class path reaches as well: the JDK does not check those against
     * a cache, and a child booted from a cache made before such a jar was rebuilt would run its old classes.
     */
    private void appendClassPathEntry(StringBuilder text, Path entry, Set<Path> seen) throws IOException {
        Path p = entry.toAbsolutePath().normalize();
        if (!seen.add(p)) {
            return;
        }
        text.append(p);
        BasicFileAttributes a = null;
        if (Files.exists(p)) {
            a = Files.readAttributes(p, BasicFileAttributes.class);
            text.append(' ').append(a.size()).append(' ').append(a.lastModifiedTime().toMillis());
        }
        text.append('\n');
        if (a != null && a.isRegularFile()) {
            String stamp = a.size() + " " + a.lastModifiedTime().toMillis();
            ManifestClassPath known = manifestClassPaths.get(p);
            if (known == null || !known.stamp().equals(stamp)) {
                known = new ManifestClassPath(stamp, manifestClassPath(p));
                manifestClassPaths.put(p, known);
            }
            for (Path jar : known.jars()) {
                appendClassPathEntry(text, jar, seen);
            }
        }
    }

    /** The jars a jar's manifest adds to the class path, read once per version of the jar. */
    private record ManifestClassPath(String stamp, List<Path> jars) {
    }

    /** The jars named by the {@code Class-Path} of {@code jar}'s manifest (relative URLs), as the JDK reads them. */
    static List<Path> manifestClassPath(Path jar) {
        String value;
        try (JarFile file = new JarFile(jar.toFile())) {
            Manifest manifest = file.getManifest();
            value = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
        } catch (IOException | RuntimeException e) {
            return List.of(); // not a jar: the JDK reads no Class-Path from it either
        }
        if (value == null) {
            return List.of();
        }
        List<Path> jars = new ArrayList<>();
        URI base = jar.toUri();
        for (String url : value.trim().split("\\s+")) {
            try {
                URI resolved = base.resolve(url);
                if ("file".equals(resolved.getScheme())) {
                    jars.add(Path.of(resolved));
                }
            } catch (IllegalArgumentException e) {
                // not a URL the JDK would follow either
            }
        }
        return jars;
    }

    /** The system properties that change how classes are found or loaded, which a cache does depend on. */
    private static Map<String, String> moduleProperties(LaunchSpec spec) {
        Map<String, String> relevant = new TreeMap<>();
        spec.systemProperties().forEach((k, v) -> {
            if (k.startsWith("jdk.module.") || k.startsWith("java.")) {
                relevant.put(k, v);
            }
        });
        return relevant;
    }

    /**
     * Keeps the {@value #KEPT_CACHES} most recently made caches and deletes the others with their logs and
     * locks: every rebuild of a jar makes a new key, and a cache is some 16 MB.
     */
    static void prune(Path dir) {
        try (var files = Files.list(dir)) {
            List<Path> caches = files.filter(p -> p.getFileName().toString().endsWith(".aot"))
                    .sorted(Comparator.comparing(AotCache::modified).reversed())
                    .toList();
            for (Path old : caches.subList(Math.min(KEPT_CACHES, caches.size()), caches.size())) {
                String key = old.getFileName().toString().replace(".aot", "");
                Files.deleteIfExists(old);
                Files.deleteIfExists(dir.resolve(key + ".log"));
                Files.deleteIfExists(dir.resolve(key + ".lock"));
            }
            deleteOrphanedTrainingFiles(dir);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "could not prune old AOT caches in " + dir, e);
        }
    }

    /**
     * Deletes what training runs of JVMs that died mid-training left behind (the folder {@code KEY.aot.PID.tmp}
     * a training writes in; of older versions, a file of that name and the JDK's files named after it): nobody
     * else would. A training holds {@code KEY.lock} while it runs,
     * so a key whose lock can be taken has none under way (its JVM may have run in another PID namespace
     * that shares this folder: its pid would say nothing).
     */
    private static void deleteOrphanedTrainingFiles(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Matcher m = TRAINING_FILE.matcher(p.getFileName().toString());
                if (m.matches() && noTrainingUnderWay(dir.resolve(m.group(1) + ".lock"))) {
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        StaleSessionSweeper.deleteTree(p); // a training's own folder, with what the JDK made in it
                    } else {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    private static boolean noTrainingUnderWay(Path lockFile) {
        if (!Files.exists(lockFile)) {
            return true; // a training creates its lock file before anything else
        }
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE);
             FileLock lock = channel.tryLock()) {
            return lock != null;
        } catch (OverlappingFileLockException e) {
            return false; // this JVM is training that key
        } catch (IOException e) {
            return false;
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, PrivatePaths.OWNER_READ_WRITE);
        }
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    /**
     * Trains the cache for {@code key} and moves it into place. The training child writes in a folder of its
     * own, mode 0700, which nobody else can enter: the JDK makes the cache and its configuration file as the
     * umask allows (0666 under umask 000), and in a folder that others may only enter (0755, say) one of them
     * could open such a file for writing while it is made, and write through that descriptor after the file
     * was checked, made 0600 and renamed: into a cache every later child maps.
     */
    private void train(Path configured, String key, Trainer trainer) {
        Path work = null;
        boolean made = false;
        try {
            Files.createDirectories(configured, PosixFilePermissions.asFileAttribute(PrivatePaths.OWNER_ONLY_FOLDER));
            Path dir = configured.toRealPath(); // used without links from here on, as in lookup
            if (!isPrivateFolder(dir)) {
                return; // a folder that others could write to when it was made (an mp4j.aot.dir under theirs)
            }
            Path cache = dir.resolve(key + ".aot");
            work = dir.resolve(key + ".aot." + ProcessHandle.current().pid() + ".tmp");
            Path tmp = work.resolve(key + ".aot");
            Path log = dir.resolve(key + ".log");
            try (FileChannel lockFile = FileChannel.open(dir.resolve(key + ".lock"), Set.of(StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PrivatePaths.OWNER_READ_WRITE));
                 FileLock lock = lockFile.tryLock()) {
                if (lock == null || Files.isRegularFile(cache)) {
                    return; // another JVM is training this key, or just finished
                }
                StaleSessionSweeper.deleteTree(work); // left by a JVM of the same pid (in another PID namespace)
                made = true;
                PrivatePaths.createPrivateFolder(work);
                LOG.log(Level.DEBUG, "training an AOT cache for child JVMs: {0}", tmp);
                int exit;
                try {
                    exit = trainer.train(tmp);
                } catch (TimeoutException e) {
                    // Not only a slower start: every run of the program trains again, and its exit waits for that
                    LOG.log(Level.WARNING, e.getMessage() + ". Children boot without an AOT cache; the child's output"
                            + " is in " + log);
                    return;
                } finally {
                    keepLog(work, log);
                }
                if (exit == 0 && Files.isRegularFile(tmp, LinkOption.NOFOLLOW_LINKS)) {
                    // The JVM creates it as the umask allows; a cache that others may write is never loaded.
                    restrictToOwner(tmp);
                    if (!PrivatePaths.isPrivateFile(tmp)) {
                        distrust(dir, "the file system ignores chmod (CIFS, vfat?): a cache made here stays open "
                                + "to others");
                        return;
                    }
                    Files.move(tmp, cache, StandardCopyOption.ATOMIC_MOVE);
                    LOG.log(Level.DEBUG, "AOT cache ready: {0}", cache);
                    prune(dir);
                } else {
                    LOG.log(Level.DEBUG, "AOT training failed ({0}); children boot without a cache",
                            ExitStatus.describe(exit));
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "AOT training failed; children boot without a cache", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (made) {
                StaleSessionSweeper.deleteTree(work);
            }
        }
    }

    /** Moves the training child's log ({@link ChildLauncher} writes it beside its output) to {@code log}, 0600. */
    private static void keepLog(Path work, Path log) {
        try (var files = Files.list(work)) {
            for (Path p : files.toList()) {
                if (p.getFileName().toString().endsWith(".log") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    restrictToOwner(p);
                    Files.move(p, log, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.DEBUG, "could not keep the AOT training log in " + log, e);
        }
    }
}
