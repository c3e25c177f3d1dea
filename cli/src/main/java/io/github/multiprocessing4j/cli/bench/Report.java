package io.github.multiprocessing4j.cli.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The outcome of one {@code mp4j bench} topic: its table rows and free-text notes. */
public final class Report {
    private final String topic;
    private final String title;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    public Report(String topic, String title) {
        this.topic = topic;
        this.title = title;
    }

    public Report add(Row row) {
        rows.add(row);
        return this;
    }

    public Report note(String note) {
        notes.add(note);
        return this;
    }

    public String topic() {
        return topic;
    }

    public List<Row> rows() {
        return rows;
    }

    public void print(PrintStream out) {
        out.println(title);
        String header = String.format(Locale.ROOT,
                "%-52s %14s %14s %-14s %s", "metric", "mp4j", "CPython", "vs CPython", "goal");
        out.println(header);
        out.println("-".repeat(header.length() + 10));
        for (Row r : rows) {
            out.printf(Locale.ROOT,
                    "%-52s %14s %14s %-14s %s%n", r.metric(), cell(r.ours(), r.unit()), cell(r.cpython(), r.unit()),
                    r.comparison(), goalText(r));
        }
        for (String note : notes) {
            out.println("  * " + note);
        }
    }

    /** The Markdown section that goes into docs/benchmarks.md. */
    public String markdown(String machine) {
        StringBuilder md = new StringBuilder();
        md.append("### ").append(title).append("\n\n").append(machine).append("\n\n");
        md.append("| metric | mp4j | CPython | mp4j vs CPython | goal |\n|---|---:|---:|---|---|\n");
        for (Row r : rows) {
            md.append("| ").append(r.metric().replace("|", "\\|")).append(" | ").append(cell(r.ours(), r.unit()))
                    .append(" | ").append(cell(r.cpython(), r.unit()))
                    .append(" | ").append(r.comparison()).append(" | ").append(goalText(r)).append(" |\n");
        }
        if (!notes.isEmpty()) {
            md.append('\n');
            for (String note : notes) {
                md.append("- ").append(note).append('\n');
            }
        }
        return md.toString();
    }

    /** A figure with its unit, or "-" for a side that was not measured (NaN), as CPython's column always did. */
    private static String cell(double value, String unit) {
        return Double.isNaN(value) ? "-" : Row.format(value) + " " + unit;
    }

    private static String goalText(Row r) {
        if (r.goal() == null || r.goal().isEmpty()) {
            return "";
        }
        return r.goal() + (r.met() == null ? "" : r.met() ? " (met)" : " (missed)");
    }
}
