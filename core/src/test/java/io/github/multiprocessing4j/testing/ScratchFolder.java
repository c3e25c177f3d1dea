package io.github.multiprocessing4j.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A temporary folder for a fixture's own JVM (a test's {@code main}, which a test cannot give a {@code @TempDir}):
 * each run left one in /tmp. The fixture deletes it once done with it, before the line its test waits for (the test
 * may then kill the JVM, whose exit hooks do not run then); the JVM's exit deletes it otherwise.
 *
 * <pre>{@code
 * Path go = ScratchFolder.create("mp4j-group-report").resolve("go");
 * ...
 * ScratchFolder.delete(go.getParent());
 * System.out.println("DONE");
 * }</pre>
 */
public final class ScratchFolder {
    private ScratchFolder() {
    }

    /** A new folder under the temporary folder, named from {@code prefix}, deleted at this JVM's exit. */
    public static Path create(String prefix) throws IOException {
        Path folder = Files.createTempDirectory(prefix);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(folder), "delete " + folder));
        return folder;
    }

    /** Deletes {@code folder} and what it holds; what cannot be deleted is left to the system's cleaning of /tmp. */
    public static void delete(Path folder) {
        try (Stream<Path> all = Files.walk(folder)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            // gone already, or a child still writes in it: left to the system's cleaning of /tmp
        }
    }
}
