extension ModelDescriptor {
    /// PP-OCRv4 text detection (DB), from the `rapidocr-onnxruntime==1.4.4` wheel
    /// (`ch_PP-OCRv4_det_infer.onnx`), as shipped: OpenVINO reads it directly.
    public static let textDetection = ModelDescriptor(
        id: "ppocrv4-det",
        fileName: "ch_PP-OCRv4_det_infer.onnx",
        sha256: "d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9",
        source: "PyPI rapidocr-onnxruntime==1.4.4, rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx")
}

extension ModelDescriptor {
    /// PP-OCRv4 text recognition (CTC over 6,623 characters, Chinese and Latin), from the same
    /// wheel (`ch_PP-OCRv4_rec_infer.onnx`). Its character list is the model's ONNX metadata
    /// entry `character`.
    public static let textRecognition = ModelDescriptor(
        id: "ppocrv4-rec",
        fileName: "ch_PP-OCRv4_rec_infer.onnx",
        sha256: "48fc40f24f6d2a207a2b1091d3437eb3cc3eb6b676dc3ef9c37384005483683b",
        source: "PyPI rapidocr-onnxruntime==1.4.4, rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx")
}
