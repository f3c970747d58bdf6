package dev.pagoda.engine.sched;

import dev.pagoda.engine.sample.SamplingParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** A seeded mix of requests: shared prefixes (for prefix hits), long and one-token prompts, n > 1 samples. */
record Workload(List<Item> items) {

    record Item(String id, int[] prompt, SamplingParams params) {}

    static SamplingParams sampled(int n, long seed, int maxTokens) {
        return new SamplingParams(n, 1.0, 1.0, -1, 0.0, 0.0, 0.0, 1.0, seed, maxTokens, 0,
                List.of(), List.of(), false, null, Map.of(), false, true);
    }

    static Workload random(long seed, int count, int maxPrompt, int maxOutput) {
        Random rnd = new Random(seed);
        int[][] prefixes = {Driver.randomTokens(rnd, 40), Driver.randomTokens(rnd, 70), Driver.randomTokens(rnd, 100)};
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int length = 1 + rnd.nextInt(maxPrompt);
            int[] prompt = Driver.randomTokens(rnd, length);
            if (rnd.nextBoolean()) {
                int[] prefix = prefixes[rnd.nextInt(prefixes.length)];
                System.arraycopy(prefix, 0, prompt, 0, Math.min(prefix.length, length));
            }
            int maxTokens = 1 + rnd.nextInt(maxOutput);
            SamplingParams params = rnd.nextInt(8) == 0 ? sampled(2 + rnd.nextInt(3), rnd.nextLong(), maxTokens)
                    : SamplingParams.greedy(maxTokens);
            items.add(new Item("r" + i, prompt, params));
        }
        return new Workload(items);
    }

    /** Expected output of every sequence (children as {@code id#k}) from the unpaged reference. */
    Map<String, int[]> expected(int maxModelLen) {
        Map<String, int[]> out = new java.util.HashMap<>();
        for (Item item : items) {
            for (int k = 0; k < item.params().n(); k++) {
                String id = k == 0 ? item.id() : item.id() + "#" + k;
                out.put(id, ReferenceGenerator.generate(item.prompt(), item.params(), k, maxModelLen));
            }
        }
        return out;
    }
}
