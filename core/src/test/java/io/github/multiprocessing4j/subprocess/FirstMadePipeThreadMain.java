package io.github.multiprocessing4j.subprocess;

/**
 * A JVM whose first command with captured output is run by a thread of a group of the program's at the lowest priority
 * (a background request's, say), which so makes the pipe thread that drains it, kept a while for the other commands
 * of the JVM: prints {@code OUTPUT <what it printed>}, then {@code PIPE <priority> <group>} for that thread.
 */
public final class FirstMadePipeThreadMain {
    private FirstMadePipeThreadMain() {
    }

    public static void main(String[] args) throws Exception {
        String[] output = new String[1];
        Thread.ofPlatform().group(new ThreadGroup("requests")).priority(Thread.MIN_PRIORITY)
                .start(() -> {
                    try {
                        output[0] = Subprocess.command("echo", "x").captureOutput().run().stdout();
                    } catch (Exception e) {
                        output[0] = e.toString();
                    }
                }).join();
        System.out.println("OUTPUT " + output[0].strip());
        // Kept idle 30 s for the next command: still there
        System.out.println("PIPE " + Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("mp4j-subprocess-pipe-"))
                .map(t -> t.getPriority() + " " + t.getThreadGroup().getName()).findFirst().orElse("none"));
    }
}
