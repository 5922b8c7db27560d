extension ModelDescriptor {
    /// PP-OCRv4 text detection (DB), from the `rapidocr-onnxruntime==1.4.4` wheel
    /// (`ch_PP-OCRv4_det_infer.onnx`), as shipped: OpenVINO reads it directly.
    public static let textDetection = ModelDescriptor(
        id: "ppocrv4-det",
        fileName: "ch_PP-OCRv4_det_infer.onnx",
        sha256: "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
        source: "PyPI rapidocr-onnxruntime==1.4.4, rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx")
}
