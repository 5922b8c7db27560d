import ArgumentParser
import Obscura

extension OptionSpec {
    /// The CLI's help for a setting of `OptionTable`: its text, the words or range it takes, and
    /// a default where ArgumentParser cannot show one (lists parsed from one string).
    func argumentHelp(default defaultText: String? = nil) -> ArgumentHelp {
        var text = help
        switch values {
        case .choices(let words): text += " One or more of: \(words.joined(separator: ","))."
        case .integer, .number: if let rangeText { text += " (\(rangeText))" }
        default: break
        }
        if let defaultText { text += " (default: \(defaultText))" }
        return ArgumentHelp(text, valueName: valueName)
    }
}
