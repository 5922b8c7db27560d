import Obscura

/// Counts of regions found, by what a person would call them: "3 faces, 1 plate, 2 PII".
/// Every kind asked for is shown, 0 included, so "0 faces" is visible while a run goes on.
struct RegionTally: Sendable {
    private(set) var counts: [Group: Int] = [:]
    private let asked: [Group]

    enum Group: Int, Sendable, CaseIterable, Comparable {
        case faces, bodies, plates, text, pii, other

        init(kind: RegionKind) {
            switch kind {
            case .face: self = .faces
            case .body: self = .bodies
            case .plate: self = .plates
            case .text: self = .text
            default: self = kind.isPersonalData ? .pii : .other
            }
        }

        init(_ kind: DetectionKind) {
            switch kind {
            case .faces: self = .faces
            case .bodies: self = .bodies
            case .plates: self = .plates
            case .text: self = .text
            case .pii: self = .pii
            }
        }

        func describe(_ count: Int) -> String {
            switch self {
            case .faces: count == 1 ? "1 face" : "\(count) faces"
            case .bodies: count == 1 ? "1 person" : "\(count) people"
            case .plates: count == 1 ? "1 plate" : "\(count) plates"
            case .text: count == 1 ? "1 text line" : "\(count) text lines"
            case .pii: "\(count) PII"
            case .other: count == 1 ? "1 other region" : "\(count) other regions"
            }
        }

        static func < (lhs: Group, rhs: Group) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    init(asked: [DetectionKind]) {
        self.asked = asked.map(Group.init)
    }

    mutating func add(kinds: [RegionKind]) {
        for kind in kinds { counts[Group(kind: kind), default: 0] += 1 }
    }

    /// "3 faces, 1 plate": the kinds asked for, then any other kind that turned up.
    var description: String {
        let groups = Set(asked).union(counts.keys).sorted()
        return groups.map { $0.describe(counts[$0] ?? 0) }.joined(separator: ", ")
    }
}
