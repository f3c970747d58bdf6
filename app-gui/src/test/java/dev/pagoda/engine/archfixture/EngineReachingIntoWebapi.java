package dev.pagoda.engine.archfixture;

import dev.pagoda.webapi.cli.PagodaCli;

/** A deliberate boundary violation, so the test proves the rule can fail. Test sources only. */
public final class EngineReachingIntoWebapi {
    public String version() {
        return PagodaCli.version();
    }
}
