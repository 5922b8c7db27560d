import Foundation
import Testing
@testable import Obscura

/// `OptionTable` is where a setting is declared: every key of `AnonymizeOptions` is in it, and
/// validation speaks the caller's words from it.
@Suite struct OptionTableTests {
    @Test("every setting AnonymizeOptions encodes is in the table, once, and nothing else is")
    func everyKey() throws {
        var options = AnonymizeOptions()
        options.quality = 80  // no default, so encoded only when set
        options.piiWordsFile = "/words.txt"
        let encoded = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(options)) as? [String: Any])
        let keys = OptionTable.all.map(\.key)
        #expect(Set(keys) == Set(encoded.keys))
        #expect(Set(keys).count == keys.count)
        #expect(Set(OptionTable.all.map(\.flag)).count == keys.count)
    }

    @Test("a value out of range is named as the caller named it, with the table's range")
    func naming() {
        var options = AnonymizeOptions()
        options.minimumFace = 2
        #expect { try options.validate() } throws: { ($0 as? ObscuraError)?.message == "--min-face must be between 5 and 400 pixels" }
        #expect { try options.validate(naming: .api) } throws: { ($0 as? ObscuraError)?.message == "minimumFace must be between 5 and 400 pixels" }
        options = AnonymizeOptions()
        options.threshold = 1.5
        #expect { try options.validate(naming: .api) } throws: { ($0 as? ObscuraError)?.message == "threshold must be between 0.01 and 1" }
        options = AnonymizeOptions()
        options.piiPatterns = ["x"]
        #expect { try options.validate(naming: .api) } throws: { ($0 as? ObscuraError)?.message == "piiPatterns and piiWordsFile need detect pii" }
        // The edges of every range are accepted.
        options = AnonymizeOptions()
        options.margin = 2
        options.threshold = 0.01
        options.minimumFace = 400
        options.cellsAcross = 64
        options.feather = 200
        options.quality = 1
        #expect(throws: Never.self) { try options.validate() }
    }

    @Test("the API's schema holds every key but piiWordsFile, with ranges and defaults")
    func schema() throws {
        let properties = try #require(OptionTable.jsonSchema()["properties"] as? [String: [String: Any]])
        #expect(properties["piiWordsFile"] == nil)
        #expect(properties.count == OptionTable.all.count - 1)
        #expect(properties["minimumFace"]?["minimum"] as? Int == 5)
        #expect(properties["minimumFace"]?["default"] as? Int == 10)
        #expect(properties["margin"]?["default"] as? Double == 0.25)
        #expect((properties["detect"]?["items"] as? [String: Any])?["enum"] as? [String] == DetectionKind.allCases.map(\.rawValue))
        #expect(properties["quality"]?["default"] == nil)
    }
}
