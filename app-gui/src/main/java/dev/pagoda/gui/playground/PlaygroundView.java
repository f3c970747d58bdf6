package dev.pagoda.gui.playground;

import javafx.animation.AnimationTimer;
import javafx.beans.property.StringProperty;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;

/**
 * The Playground tab: the conversation, the reply appearing as it streams (pulled once per frame),
 * the message box and the sampling controls. Watch the KV cache tab meanwhile: the reply's blocks
 * fill as its tokens come.
 */
public final class PlaygroundView extends BorderPane {

    private final PlaygroundViewModel vm;
    private final TextArea transcript = new TextArea();
    private final AnimationTimer timer;
    private String shownReply = "";

    public PlaygroundView(PlaygroundViewModel vm) {
        this.vm = vm;
        setPadding(new Insets(8));
        transcript.setId("playgroundTranscript");
        transcript.setEditable(false);
        transcript.setWrapText(true);
        setCenter(transcript);

        TextField message = new TextField();
        message.setId("playgroundInput");
        message.setPromptText("Message the model (Enter sends)");
        message.textProperty().bindBidirectional(vm.inputProperty());
        message.setOnAction(e -> vm.send());
        HBox.setHgrow(message, Priority.ALWAYS);
        Button send = new Button("Send");
        send.setId("playgroundSend");
        send.setOnAction(e -> vm.send());
        send.disableProperty().bind(vm.busyProperty());
        Button stop = new Button("Stop");
        stop.setId("playgroundStop");
        stop.setOnAction(e -> vm.stop());
        stop.disableProperty().bind(vm.busyProperty().not());
        Button clear = new Button("New chat");
        clear.setId("playgroundClear");
        clear.setOnAction(e -> vm.clear());
        clear.disableProperty().bind(vm.busyProperty());
        HBox controls = new HBox(8,
                new Label("Temperature"), small("playgroundTemperature", vm.temperatureProperty()),
                new Label("Top-p"), small("playgroundTopP", vm.topPProperty()),
                new Label("Max tokens"), small("playgroundMaxTokens", vm.maxTokensProperty()));
        VBox bottom = new VBox(6, controls, new HBox(8, message, send, stop, clear));
        bottom.setPadding(new Insets(8, 0, 0, 0));
        setBottom(bottom);

        vm.conversation().addListener((ListChangeListener<ChatTurn>) c -> render());
        timer = new AnimationTimer() {
            @Override
            public void handle(long now) {
                vm.pull();
                if (!vm.replyProperty().get().equals(shownReply)) render();
            }
        };
        sceneProperty().addListener((o, old, scene) -> {
            if (scene == null) timer.stop(); else timer.start();
        });
    }

    private static TextField small(String id, StringProperty value) {
        TextField f = new TextField();
        f.setId(id);
        f.setPrefColumnCount(5);
        f.textProperty().bindBidirectional(value);
        return f;
    }

    private void render() {
        shownReply = vm.replyProperty().get();
        StringBuilder text = new StringBuilder();
        for (ChatTurn t : vm.conversation()) text.append(t.role()).append(":\n").append(t.content()).append("\n\n");
        if (vm.busyProperty().get()) text.append("assistant:\n").append(shownReply).append('▌');
        transcript.setText(text.toString());
        transcript.positionCaret(text.length());
    }

    /** Stops the frame timer for good (window closing). */
    public void dispose() {
        timer.stop();
    }
}
