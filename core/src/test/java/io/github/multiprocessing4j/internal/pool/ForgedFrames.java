package io.github.multiprocessing4j.internal.pool;

import io.github.multiprocessing4j.internal.bytes.ByteSink;
import io.github.multiprocessing4j.internal.wire.Connection;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Run inside a pool worker (by a task): writes bytes of the test's choosing straight onto the worker's
 * connection to its parent, as a broken or hostile worker would. The worker's only non-blocking socket is that
 * connection: the connection must poll (the default {@code mp4j.pool.spinMicros}), and the JVM must be started with {@link #JVM_OPTIONS}, which let this wrap its file descriptor.
 */
final class ForgedFrames {
    static final List<String> JVM_OPTIONS = List.of("--add-opens", "java.base/java.io=ALL-UNNAMED");

    private ForgedFrames() {
    }

    /** One frame, laid out as {@link Connection#appendFrame} does. */
    static byte[] frame(byte type, long id, byte[] payload) {
        ByteSink sink = new ByteSink();
        Connection.appendFrame(sink, type, id, payload);
        return sink.toByteArray();
    }

    /** The connection polls (the pool's default), so its socket is the worker's only non-blocking one. */
    private static boolean nonBlocking(String fd) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo", fd))) {
            if (line.startsWith("flags:")) {
                return (Integer.parseInt(line.substring(6).strip(), 8) & 04000) != 0;
            }
        }
        return false;
    }

    /** Writes {@code bytes} onto the connection to the parent, bypassing the worker's own framing. */
    static void writeToParent(byte[] bytes) throws Exception {
        List<Integer> sockets = new ArrayList<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String n = fd.getFileName().toString();
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:") && nonBlocking(n)) {
                        sockets.add(Integer.parseInt(n));
                    }
                } catch (IOException e) {
                    // closed meanwhile (the directory stream's own descriptor, say)
                }
            }
        }
        if (sockets.size() != 1) {
            throw new IllegalStateException("expected the worker to have one socket, found " + sockets);
        }
        Constructor<FileDescriptor> c = FileDescriptor.class.getDeclaredConstructor(int.class);
        c.setAccessible(true);
        @SuppressWarnings("resource") // closing it would close the worker's connection
        FileOutputStream out = new FileOutputStream(c.newInstance(sockets.getFirst()));
        out.write(bytes);
    }
}
