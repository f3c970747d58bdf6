package dev.pagoda.gui.playground;

import dev.pagoda.catalog.chat.ChatContext;
import dev.pagoda.catalog.chat.ChatTemplates;
import dev.pagoda.catalog.tokenizer.Tokenizer;
import dev.pagoda.engine.api.GenerationRequest;
import dev.pagoda.engine.api.InferenceEngine;
import dev.pagoda.engine.api.ModelInfo;
import dev.pagoda.engine.api.RequestStream;
import dev.pagoda.engine.api.SampleDelta;
import dev.pagoda.engine.api.StreamEvent;
import dev.pagoda.engine.sample.SamplingParams;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;

/**
 * The Playground tab's state: a chat with the loaded model through the engine API. The
 * conversation is rendered with the model's chat template and tokenized as the OpenAI server does
 * it (the template writes BOS, so no special tokens are added again), submitted with the sampling
 * controls, and the reply streamed by a background {@link Task}. The task only appends text to a
 * buffer; the view pulls it once per frame ({@link #pull()}), so no token is pushed to the FX thread.
 */
public final class PlaygroundViewModel {

    private final Supplier<Optional<InferenceEngine>> engine;
    private final Executor background;
    private final Consumer<String> errors;
    private final ObservableList<ChatTurn> conversation = FXCollections.observableArrayList();
    private final StringProperty input = new SimpleStringProperty("");
    private final StringProperty temperature = new SimpleStringProperty("0.7");
    private final StringProperty topP = new SimpleStringProperty("1.0");
    private final StringProperty maxTokens = new SimpleStringProperty("128");
    private final ReadOnlyStringWrapper reply = new ReadOnlyStringWrapper("");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(false);
    private final AtomicLong ids = new AtomicLong();
    private final StringBuilder streamed = new StringBuilder(); // guarded by itself; the task appends, pull() reads
    private volatile String currentRequest;

    /**
     * @param engine the engine now running, if any
     * @param errors shows a failure's reason to the user
     */
    public PlaygroundViewModel(Supplier<Optional<InferenceEngine>> engine, Executor background, Consumer<String> errors) {
        this.engine = engine;
        this.background = background;
        this.errors = errors;
    }

    /** Sends the input as the user's next message and streams the model's reply. */
    public void send() {
        if (busy.get()) return;
        String text = input.get() == null ? "" : input.get().strip();
        if (text.isEmpty()) {
            errors.accept("Playground: type a message first");
            return;
        }
        Optional<InferenceEngine> target = engine.get();
        if (target.isEmpty()) {
            errors.accept("Playground: no model is loaded; start the server first");
            return;
        }
        SamplingParams params;
        try {
            params = samplingParams();
        } catch (IllegalArgumentException e) {
            errors.accept("Playground: " + e.getMessage());
            return;
        }
        List<ChatTurn> messages = new ArrayList<>(conversation);
        messages.add(new ChatTurn("user", text));
        InferenceEngine e = target.get();
        String requestId = "playground-" + ids.incrementAndGet();
        conversation.add(new ChatTurn("user", text));
        input.set("");
        synchronized (streamed) {
            streamed.setLength(0);
        }
        reply.set("");
        busy.set(true);
        currentRequest = requestId;
        Task<String> task = new Task<>() {
            @Override
            protected String call() throws InterruptedException {
                // Rendering a long conversation and tokenizing it is real work: here, not on the FX thread.
                int[] prompt = promptTokens(e.model(), messages);
                try (RequestStream stream = e.submit(new GenerationRequest(requestId, prompt, params))) {
                    StreamEvent event;
                    while ((event = stream.next()) != null) {
                        for (SampleDelta d : event.deltas()) {
                            if (d.index() != 0) continue;
                            synchronized (streamed) {
                                streamed.append(d.text());
                            }
                        }
                        if (event.error() != null) throw new IllegalStateException(event.error());
                    }
                }
                synchronized (streamed) {
                    return streamed.toString();
                }
            }
        };
        task.setOnSucceeded(ev -> finish(task.getValue()));
        task.setOnFailed(ev -> {
            String partial = pull();
            if (partial.isEmpty()) {
                // Nothing came back (no template, a refused prompt): the message goes back to the input box.
                conversation.removeLast();
                input.set(text);
                reply.set("");
                currentRequest = null;
                busy.set(false);
            } else {
                finish(partial);
            }
            errors.accept("Playground: the reply failed: " + task.getException().getMessage());
        });
        background.execute(task);
    }

    private void finish(String text) {
        conversation.add(new ChatTurn("assistant", text));
        reply.set("");
        currentRequest = null;
        busy.set(false);
    }

    /** Ends the reply in progress where it is (it is kept as it stands). */
    public void stop() {
        String id = currentRequest;
        engine.get().ifPresent(e -> {
            if (id != null) e.abort(id);
        });
    }

    /** The reply streamed so far into {@link #replyProperty()}; called once per frame. Returns it. */
    public String pull() {
        String now;
        synchronized (streamed) {
            now = streamed.toString();
        }
        if (busy.get() && !now.equals(reply.get())) reply.set(now);
        return now;
    }

    /** The conversation rendered with the model's chat template, as the OpenAI server renders it, then tokenized. */
    static int[] promptTokens(ModelInfo model, List<ChatTurn> messages) {
        Tokenizer tokenizer = model.tokenizer().orElseThrow(() -> new IllegalStateException(
                "model " + model.servedName() + " has no tokenizer: it takes token ids only"));
        ChatTemplates templates = model.chatTemplates().orElseThrow(() -> new IllegalStateException(
                "model " + model.servedName() + " ships no chat template"));
        List<Map<String, Object>> turns = messages.stream().map(ChatTurn::asTemplateMessage).toList();
        String text = templates.forRequest(false).render(new ChatContext(turns, true, null, templates.bosToken(),
                templates.eosToken(), Map.of()));
        return tokenizer.encode(text, false);
    }

    /** The controls parsed; a bad one gets an error naming it (SamplingParams checks the ranges). */
    public SamplingParams samplingParams() {
        double t = number("Temperature", temperature.get());
        double p = number("Top-p", topP.get());
        int max;
        try {
            max = Integer.parseInt(maxTokens.get().strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Max tokens must be a whole number, got '" + maxTokens.get() + "'");
        }
        try {
            return SamplingParams.builder().temperature(t).topP(p).maxTokens(max).build().validate();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static double number(String field, String text) {
        try {
            return Double.parseDouble(text.strip());
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(field + " must be a number, got '" + text + "'");
        }
    }

    /** Starts a new conversation. */
    public void clear() {
        if (!busy.get()) conversation.clear();
    }

    public ObservableList<ChatTurn> conversation() { return conversation; }
    public StringProperty inputProperty() { return input; }
    public StringProperty temperatureProperty() { return temperature; }
    public StringProperty topPProperty() { return topP; }
    public StringProperty maxTokensProperty() { return maxTokens; }
    /** The reply being streamed; empty between replies. */
    public ReadOnlyStringProperty replyProperty() { return reply.getReadOnlyProperty(); }
    public ReadOnlyBooleanProperty busyProperty() { return busy.getReadOnlyProperty(); }
}
