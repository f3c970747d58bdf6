package dev.pagoda.catalog.discovery;

import java.util.List;

/**
 * What a scan found: usable models sorted by name then path, and the problems met, sorted by path.
 */
public record DiscoveryResult(List<DiscoveredModel> models, List<DiscoveryProblem> problems) {
    public DiscoveryResult {
        models = List.copyOf(models);
        problems = List.copyOf(problems);
    }
}
