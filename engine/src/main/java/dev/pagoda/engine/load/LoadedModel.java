package dev.pagoda.engine.load;

import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.catalog.config.GenerationDefaults;
import dev.pagoda.catalog.config.ModelSpec;
import dev.pagoda.catalog.tensor.WeightSource;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code --model} resolved to: the weights and everything that travels with them. Closing
 * releases the weights (mapped files or generated tensors).
 *
 * @param spec               the model's shape (for a GGUF file, as its metadata says)
 * @param weights            tensors under HF names
 * @param tokenizer          absent for a built-in shape with dummy weights
 * @param chatTemplates      absent when the model ships none
 * @param generationDefaults generation_config.json, or empty
 * @param name               the default served name: folder name, file name without .gguf, or shape name
 * @param source             what --model said, as given
 * @param weightDtype        how the weights are stored, e.g. "F32", "BF16", "Q8_0"
 */
public record LoadedModel(
        ModelSpec spec,
        WeightSource weights,
        Optional<Tokenizer> tokenizer,
        Optional<ChatTemplates> chatTemplates,
        GenerationDefaults generationDefaults,
        String name,
        String source,
        String weightDtype) implements AutoCloseable {

    /**
     * Ids that end generation: the config's, generation_config's and the tokenizer's (vLLM adds
     * generation_config's eos ids to the tokenizer's), each once, those outside the vocabulary dropped.
     */
    public List<Integer> eosTokenIds() {
        List<Integer> ids = new ArrayList<>();
        List<Integer> candidates = new ArrayList<>(spec.eosTokenIds());
        candidates.addAll(generationDefaults.eosTokenIds());
        tokenizer.ifPresent(t -> candidates.addAll(t.eosTokenIds()));
        for (int id : candidates) {
            if (id >= 0 && id < spec.vocabSize() && !ids.contains(id)) ids.add(id);
        }
        return List.copyOf(ids);
    }

    @Override
    public void close() {
        weights.close();
    }
}
