/**
 * The Pagoda control panel (JavaFX): the engine and the OpenAI server in the panel's own JVM.
 *
 * <pre>
 *  Server tab ── ServerViewModel ──Task (progress, cancel)──► EmbeddedServer.start: ObservedEngine(LocalEngine) + PagodaServer
 *  Models tab ── ModelsViewModel ──Task──► ModelDiscovery.scan + shapes; ModelFit = MemoryPlanner's answer;
 *                                          Load / Unload go through the Server tab's start / stop
 *  Playground ── PlaygroundViewModel ──Task──► chat template + tokenizer, engine.submit, stream -> text buffer
 *
 *  request streams (HTTP handlers, playground) ──► RequestLog ──► RequestLogViewModel, TTFT chart (per frame)
 *
 *  engine thread ──StepStats──► StepRecorder (bounded queue) ─┐
 *  engine.state() (latest EngineState, a field read) ─────────┤  once per frame, on the FX thread:
 *                                                             ├─► AnimationTimer (KvCacheView)
 *                                                             │     KvCacheViewModel.update -> BlockRaster.paint
 *                                                             │     -> one setPixels + drawImage on the Canvas
 *                                                             └─► AnimationTimer (ThroughputView)
 *                                                                   ThroughputViewModel.update -> stacked bars
 *  Pause / Step / Resume ── TeachingControls ──Task──► engine.pause() / step() / resume()
 * </pre>
 *
 * <p>Nothing long runs on the FX thread and no token is ever pushed to it: views pull. View-models
 * hold no scene-graph types (ModuleBoundariesTest checks it), so the tests drive them directly and
 * compare them with what the engine reports. Closing the window ({@link dev.pagoda.gui.PagodaApp#stop})
 * stops the server, then the engine.
 *
 * <p>Run: {@code ./mvnw -pl app-gui -am package -DskipTests}, then
 * {@code java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
 * -cp app-gui/target/app-gui-0.1.0-SNAPSHOT.jar:$(cat app-gui/target/launcher.classpath) dev.pagoda.gui.Main}.
 */
package dev.pagoda.gui;
