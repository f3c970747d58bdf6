package dev.pagoda.gui.archfixture;

import javafx.scene.control.Label;

/** A deliberate view-model that holds a Node, so the test proves the rule can fail. Test sources only. */
public final class NodeHoldingViewModel {
    private final Label label = new Label();

    public String text() {
        return label.getText();
    }
}
