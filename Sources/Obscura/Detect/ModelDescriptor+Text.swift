extension ModelDescriptor {
    /// PP-OCRv4 text detection (DB), from the `rapidocr-onnxruntime==1.4.4` wheel
    /// (`ch_PP-OCRv4_det_infer.onnx`, SHA-256 d2a7720d…42f49da9) with its 24 opset-12 `Clip`
    /// nodes rewritten into the attribute form OpenCV 4.6 reads (`scripts/fetch-text-model.sh`,
    /// `scripts/models/rewrite-clip.py`). The hash is the rewritten file's.
    public static let textDetection = ModelDescriptor(
        id: "ppocrv4-det",
        fileName: "ppocrv4-det-opencv.onnx",
        sha256: "ba6c847732b7346aca36f55106b39364c5d0bbe11db930ff8797c26537ffb4ec",
        source: "PyPI rapidocr-onnxruntime==1.4.4, rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx (sha256 d2a7720d45a54257208b1e13e36a8479894cb74155a5efe29462512d42f49da9), Clip nodes rewritten by scripts/models/rewrite-clip.py")
}
