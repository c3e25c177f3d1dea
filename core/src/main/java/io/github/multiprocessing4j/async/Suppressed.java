package io.github.multiprocessing4j.async;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Attaching the failures of a group to an exception that may be one of them, or carry one, or be carried by
 * one: the owner's own exception, when the group is closed after it.
 *
 * <pre>
 * A plain addSuppressed can go wrong three ways here: the exception may be the very failure it is given
 * (IllegalArgumentException "Self-suppression not permitted", and the real failure is lost); what it is
 * given may carry it (close()'s exception carries every failure: a cycle, failure -> suppressed -> failure,
 * which every walker of causes without a visited set follows for good); or it carries a failure already,
 * which is then carried twice. Identity is what counts, as for addSuppressed: equals() is the user's.
 * </pre>
 */
final class Suppressed {
    private Suppressed() {
    }

    /**
     * Attaches {@code closing} (what closing the group threw) to {@code target} as suppressed, or, when that
     * would make a cycle or carry a failure twice, each of {@code failures} (the group's, which {@code closing}
     * reports too) as {@link #attachEach} does.
     */
    static void attach(Throwable target, Throwable closing, List<Throwable> failures) {
        Set<Throwable> carried = reachable(target);
        boolean entangled = carries(closing, target);
        for (int i = 0; i < failures.size() && !entangled; i++) {
            entangled = carried.contains(failures.get(i));
        }
        if (entangled) {
            attachEach(target, carried, failures);
        } else {
            target.addSuppressed(closing);
        }
    }

    /**
     * Attaches to {@code target} as suppressed each of {@code failures} that it does not carry yet. A failure
     * that carries {@code target} itself is left out: it cannot be attached without a cycle. Linear in what
     * the exceptions carry, however many failures there are (gatherSettled may have a million).
     */
    static void attachEach(Throwable target, List<Throwable> failures) {
        attachEach(target, reachable(target), failures);
    }

    private static void attachEach(Throwable target, Set<Throwable> carried, List<Throwable> failures) {
        for (Throwable failure : failures) {
            if (!carried.contains(failure) && !carries(failure, target)) {
                target.addSuppressed(failure);
                walk(failure, carried, null);
            }
        }
    }

    /** Whether {@code target} is {@code from} or is reachable from it through causes and suppressed exceptions. */
    static boolean carries(Throwable from, Throwable target) {
        return walk(from, Collections.newSetFromMap(new IdentityHashMap<>()), target);
    }

    private static Set<Throwable> reachable(Throwable from) {
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        walk(from, seen, null);
        return seen;
    }

    /**
     * Adds to {@code seen} what {@code from} carries, itself included, not walking again what {@code seen} has;
     * true as soon as it meets {@code target} (never for null).
     */
    private static boolean walk(Throwable from, Set<Throwable> seen, Throwable target) {
        ArrayDeque<Throwable> todo = new ArrayDeque<>();
        todo.push(from);
        while (!todo.isEmpty()) {
            Throwable t = todo.pop();
            if (t == target) {
                return true;
            }
            if (seen.add(t)) {
                Throwable cause = t.getCause();
                if (cause != null) {
                    todo.push(cause);
                }
                for (Throwable s : t.getSuppressed()) {
                    todo.push(s);
                }
            }
        }
        return false;
    }
}
