/// A detector or reader that runs one network: the model it names in reports, and a way to free
/// the network's working memory between large images. Faces, bodies, text lines and the
/// line reader each wrap one `InferenceModel` this way.
protocol NetworkBacked: Sendable {
    var network: InferenceModel { get }
}

extension NetworkBacked {
    var model: ModelDescriptor { network.descriptor }

    /// Frees the network's working memory until its next run (see `InferenceModel`).
    func releaseWorkingMemory() { network.releaseWorkingMemory() }
}
