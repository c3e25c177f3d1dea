package io.github.multiprocessing4j.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.multiprocessing4j.testing.Delays;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The package comment's "What a task sees of the thread that spawned it": the spawning thread's inheritable
 * thread-local values, copied at spawn, and its context class loader; not its {@link ScopedValue} bindings,
 * which the task binds again from a value read before the spawn, as the snippet there does.
 */
class SpawnerContextTest {
    private static final InheritableThreadLocal<String> LOCAL = new InheritableThreadLocal<>();
    private static final ScopedValue<String> USER = ScopedValue.newInstance();

    @Test
    void aTask_inheritsTheSpawningThreadsInheritableThreadLocals_copiedAtSpawn_andItsContextClassLoader()
            throws Exception {
        ClassLoader ownersLoader = new URLClassLoader(new URL[0], ClassLoader.getSystemClassLoader());
        ClassLoader spawnersLoader = new URLClassLoader(new URL[0], ClassLoader.getSystemClassLoader());
        Thread me = Thread.currentThread();
        ClassLoader before = me.getContextClassLoader();
        me.setContextClassLoader(ownersLoader);
        LOCAL.set("owner's");
        try (TaskGroup group = TaskGroup.open()) {
            Task<String> byOwner = group.spawn(LOCAL::get);
            Task<ClassLoader> byOwnerLoader = group.spawn(() -> Thread.currentThread().getContextClassLoader());
            LOCAL.set("changed after the spawn");
            // a task that spawns a sibling hands it its own context, not the owner's
            Task<Task<String>> spawner = group.spawn(() -> {
                LOCAL.set("task's");
                Thread.currentThread().setContextClassLoader(spawnersLoader);
                return group.spawn(() -> LOCAL.get() + " " + (Thread.currentThread().getContextClassLoader()
                        == spawnersLoader ? "loader" : "other loader"));
            });
            AtomicReference<Task<String>> fromOtherThread = new AtomicReference<>();
            Thread other = Thread.ofPlatform().inheritInheritableThreadLocals(false).start(
                    () -> fromOtherThread.set(group.spawn(() -> String.valueOf(LOCAL.get()))));
            other.join(Delays.seconds(10));

            assertThat(byOwner.get(10, TimeUnit.SECONDS)).as("copied at spawn").isEqualTo("owner's");
            assertThat(byOwnerLoader.get(10, TimeUnit.SECONDS)).isSameAs(ownersLoader);
            assertThat(spawner.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS)).isEqualTo("task's loader");
            assertThat(fromOtherThread.get().get(10, TimeUnit.SECONDS)).as("that thread had no value").isEqualTo("null");
        } finally {
            LOCAL.remove();
            me.setContextClassLoader(before);
        }
    }

    @Test
    void aTask_doesNotSeeTheSpawningThreadsScopedValueBindings_andBindsTheValueReadBeforeTheSpawn() throws Exception {
        String[] seen = ScopedValue.where(USER, "alice").call(() -> {
            try (TaskGroup group = TaskGroup.open()) {
                Task<Boolean> bound = group.spawn(USER::isBound);
                Task<String> lookup = group.spawn(() -> {
                    try {
                        return USER.get();
                    } catch (NoSuchElementException e) {
                        return "unbound";
                    }
                });
                String user = USER.get();
                Task<String> rebound = group.spawn(() -> ScopedValue.where(USER, user).call(USER::get));
                return new String[] {String.valueOf(bound.get()), lookup.get(), rebound.get()};
            }
        });

        assertThat(seen).containsExactly("false", "unbound", "alice");
    }
}
