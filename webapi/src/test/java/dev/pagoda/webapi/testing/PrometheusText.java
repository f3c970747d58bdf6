package dev.pagoda.webapi.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A small reader of the Prometheus text format, written from the format's description, for assertions. */
public final class PrometheusText {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)$");

    /** One sample line: name, raw label text, value. */
    public record Sample(String name, String labels, double value) {}

    private final String text;
    private final List<Sample> samples;

    private PrometheusText(String text, List<Sample> samples) {
        this.text = text;
        this.samples = samples;
    }

    public static PrometheusText parse(String text) {
        List<Sample> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) continue;
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) throw new AssertionError("not a Prometheus sample line: " + line);
            out.add(new Sample(m.group(1), m.group(3) == null ? "" : m.group(3), Double.parseDouble(m.group(4))));
        }
        return new PrometheusText(text, out);
    }

    public String text() {
        return text;
    }

    public List<Sample> samples() {
        return samples;
    }

    /** {@link #value}, or 0 for a counter that has no sample yet (a label value not seen so far). */
    public double valueOrZero(String name, String... labelPairs) {
        return matching(name, labelPairs).isEmpty() ? 0 : value(name, labelPairs);
    }

    private List<Sample> matching(String name, String... labelPairs) {
        return samples.stream().filter(s -> s.name.equals(name)).filter(s -> {
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!s.labels.contains(labelPairs[i] + "=\"" + labelPairs[i + 1] + "\"")) return false;
            }
            return true;
        }).toList();
    }

    /** The value of the one sample named {@code name} whose labels include every given label=value pair. */
    public double value(String name, String... labelPairs) {
        List<Sample> hits = samples.stream().filter(s -> s.name.equals(name)).filter(s -> {
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!s.labels.contains(labelPairs[i] + "=\"" + labelPairs[i + 1] + "\"")) return false;
            }
            return true;
        }).toList();
        if (hits.size() != 1) throw new AssertionError(hits.size() + " samples match " + name + " " + List.of(labelPairs) + " in:\n" + text);
        return hits.getFirst().value;
    }
}
