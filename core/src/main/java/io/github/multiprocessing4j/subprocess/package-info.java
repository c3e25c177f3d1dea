/**
 * External commands with Python's {@code subprocess} ergonomics: run, capture, pipe, time out, check.
 *
 * <table class="striped">
 *   <caption>Python to Java</caption>
 *   <thead><tr><th>Python</th><th>here</th></tr></thead>
 *   <tbody>
 *     <tr><td>{@code subprocess.run(args, capture_output=True, text=True)}</td>
 *         <td>{@code Subprocess.command(args).captureOutput().run()}</td></tr>
 *     <tr><td>{@code check=True}, {@code CalledProcessError}</td>
 *         <td>{@code .check()}, {@link io.github.multiprocessing4j.subprocess.CalledProcessException}</td></tr>
 *     <tr><td>{@code timeout=5}, {@code TimeoutExpired}</td>
 *         <td>{@code .timeout(Duration.ofSeconds(5))},
 *             {@link io.github.multiprocessing4j.subprocess.TimeoutExpiredException}; the whole process
 *             tree is killed, not only the child</td></tr>
 *     <tr><td>{@code input=}, {@code stdin=DEVNULL}, {@code stderr=STDOUT}, {@code cwd=}, {@code env=}</td>
 *         <td>{@code .input(...)}, {@code .stdin(Redirect.DISCARD)}, {@code .stderrToStdout()},
 *             {@code .cwd(path)}, {@code .clearEnv().env(k, v)}</td></tr>
 *     <tr><td>{@code Popen}, {@code communicate}, {@code poll}, {@code wait}, {@code send_signal}</td>
 *         <td>{@code .start()} giving a {@link io.github.multiprocessing4j.subprocess.Subprocess};
 *             {@code communicate}, {@code poll}, {@code waitFor}, {@code sendSignal(Signal)}</td></tr>
 *     <tr><td>{@code run(cmd, shell=True)}</td>
 *         <td>{@link io.github.multiprocessing4j.subprocess.Subprocess#shell Subprocess.shell(cmd)}
 *             ({@code /bin/sh -c cmd})</td></tr>
 *     <tr><td>{@code Popen(a, stdout=PIPE)} feeding {@code Popen(b, stdin=a.stdout)}</td>
 *         <td>{@code Subprocess.pipeline(a, b).run()}</td></tr>
 *   </tbody>
 * </table>
 *
 * <h2>Differences from Python</h2>
 * <ul>
 *   <li>A status of death by signal N reads 128 + N (the JDK's and the shell's convention), not -N.</li>
 *   <li>Reading a stream that was not captured throws {@link java.lang.IllegalStateException} naming where it
 *       went, where Python gives {@code None}.</li>
 *   <li>{@code run()} with a timeout does not hang when a process outside the killed tree keeps the output
 *       pipe open: it reports what it has one second after the kill.</li>
 *   <li>A bare command name found on a {@code PATH} that {@code env(...)} or {@code clearEnv()} changed (it is
 *       searched, as in Python) gets the absolute path of the file found as its {@code argv[0]}, where Python
 *       passes the name as given: the JDK has no way to set {@code argv[0]} apart from the file it runs.</li>
 *   <li>Text output is decoded leniently: bytes that are not valid in the charset become U+FFFD, where
 *       Python's {@code text=True} raises {@code UnicodeDecodeError}; the bytes are there unchanged. Line
 *       ends are kept as the command wrote them: {@code "a\r\nb"} reads as such, where Python's
 *       {@code text=True} turns {@code \r\n} and {@code \r} into {@code \n}.
 *       {@code stdoutLines()} splits at all three, as Python's lines do.</li>
 *   <li>{@code close()} (the end of a try-with-resources) kills the command's process tree if it still
 *       runs; Python's {@code with Popen(...)} waits for it. Call {@code waitFor()} first to wait.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Pipes are fed and drained by platform daemon threads from a pool of this package, created on demand and
 * dropped after 30 idle seconds. A command that neither captures nor feeds a pipe uses none.
 *
 * <h2>Memory consistency effects</h2>
 * Everything a command wrote to a captured pipe before the pipe reached its end is visible in the
 * {@link io.github.multiprocessing4j.subprocess.CompletedProcess} that {@code run()} or {@code communicate}
 * returns, to the thread it returns to and to any thread it is safely handed to; the output in a
 * {@link io.github.multiprocessing4j.subprocess.TimeoutExpiredException} is what had been read when it was
 * made. Input arrays are read by a feeding thread after the call that received them began: do not modify
 * them until that call returns.
 */
package io.github.multiprocessing4j.subprocess;
