package dev.pagoda.engine.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pagoda.catalog.safetensors.HfWeightSource;
import dev.pagoda.catalog.testing.TestModels;
import dev.pagoda.engine.cpu.Parallel;
import dev.pagoda.engine.testing.ReferenceLlama;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerplexityTest {

    /** Log-probabilities and perplexity against the naive double-precision Llama over the same weights. */
    @Test
    void perplexityIsTheNaiveForwardsMeanNextTokenLikelihood(@TempDir Path dir) throws IOException {
        Path model = TestModels.write(TestModels.llama(), dir.resolve("m"));
        Random random = new Random(5);
        try (HfWeightSource weights = HfWeightSource.open(model);
             Parallel parallel = new Parallel(2);
             Perplexity scorer = new Perplexity(weights, parallel, 40)) {
            int vocab = weights.spec().vocabSize();
            int[][] windows = new int[3][40];
            for (int[] w : windows) for (int i = 0; i < w.length; i++) w[i] = random.nextInt(vocab);

            ReferenceLlama reference = new ReferenceLlama(weights);
            double expectedNll = 0;
            for (int[] w : windows) {
                double[][] logits = reference.logits(w);
                double[] ours = scorer.nextTokenLogprobs(w);
                for (int i = 0; i + 1 < w.length; i++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (double x : logits[i]) max = Math.max(max, x);
                    for (double x : logits[i]) sum += Math.exp(x - max);
                    double lp = logits[i][w[i + 1]] - max - Math.log(sum);
                    assertEquals(lp, ours[i], 1e-4, "position " + i);
                    expectedNll -= lp;
                }
            }
            Perplexity.Result r = scorer.evaluate(List.of(windows));
            assertEquals(3 * 39, r.predictions());
            assertEquals(Math.exp(expectedNll / (3 * 39)), r.perplexity(), 1e-4 * r.perplexity());

            // the windows as the recipe's uint16 file holds them, plus a partial tail that is dropped
            ByteBuffer bytes = ByteBuffer.allocate(2 * (3 * 40 + 7)).order(ByteOrder.LITTLE_ENDIAN);
            for (int[] w : windows) for (int id : w) bytes.putShort((short) id);
            Path file = Files.write(dir.resolve("ids.bin"), bytes.array());
            List<int[]> read = Perplexity.readWindows(file, 40, 0);
            assertEquals(3, read.size());
            for (int k = 0; k < 3; k++) org.junit.jupiter.api.Assertions.assertArrayEquals(windows[k], read.get(k));
            assertEquals(2, Perplexity.readWindows(file, 40, 2).size());
        }
    }
}
