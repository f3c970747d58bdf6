package dev.pagoda.installers.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The plain manifests in installers/kubernetes (for kubectl apply without helm): Kubernetes objects
 * that pass the same checks as the chart, and exactly what the chart renders (render.sh writes them).
 */
class KubernetesManifestsTest {

    private static List<HasMetadata> manifest(String name) throws IOException {
        return KubernetesTools.parse(Files.readString(KubernetesTools.MANIFESTS.resolve(name)));
    }

    @Test
    void theKedaManifestsParseAndPassTheChecks() throws IOException {
        Deployed d = new Deployed(manifest("pagoda.yaml"));
        assertEquals(KubernetesTools.DEFAULT_KINDS, d.kinds());
        d.checkServer();
        d.checkKeda();
        d.checkServiceMonitor();
    }

    @Test
    void theHpaManifestScalesTheSameDeployment() throws IOException {
        List<HasMetadata> hpa = manifest("pagoda-hpa.yaml");
        assertEquals(1, hpa.size());
        var autoscaler = (HorizontalPodAutoscaler) hpa.getFirst();
        assertEquals(new Deployed(manifest("pagoda.yaml")).one(io.fabric8.kubernetes.api.model.apps.Deployment.class).getMetadata().getName(),
                autoscaler.getSpec().getScaleTargetRef().getName());
    }

    @Test
    void theManifestsAreTheChartRendered() throws IOException {
        assertEquals(KubernetesTools.helmTemplate().stdout(), Files.readString(KubernetesTools.MANIFESTS.resolve("pagoda.yaml")),
                "installers/kubernetes/pagoda.yaml is stale: run installers/kubernetes/render.sh");
        assertEquals(KubernetesTools.helmTemplate(KubernetesTools.HPA_ONLY).stdout(), Files.readString(KubernetesTools.MANIFESTS.resolve("pagoda-hpa.yaml")),
                "installers/kubernetes/pagoda-hpa.yaml is stale: run installers/kubernetes/render.sh");
    }

    @Test
    void theManifestsMatchTheirSchemas() throws IOException {
        for (String name : List.of("pagoda.yaml", "pagoda-hpa.yaml")) {
            KubernetesTools.validate(manifest(name)).forEach(v -> assertTrue(v.endsWith(": valid"), name + ": " + v));
        }
    }
}
