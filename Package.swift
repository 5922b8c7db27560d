// swift-tools-version:6.0
import PackageDescription

// Every network model runs through OpenVINO's C API (COpenVINO, loaded at run time from the
// runtime scripts/setup.sh unpacks from the openvino==2026.4.1 wheel). OpenCV 4.6 comes from
// Debian's libopencv-dev (headers under /usr/include/opencv4) for area resizing and objdetect's
// Haar cascades (licence plates; the cascade files come from Debian's opencv-data). Images are read and written with libjpeg-turbo, libpng, libwebp,
// libheif, libtiff and giflib directly: damaged data is refused rather than patched over, and
// the binary does not load the ~130 libraries behind OpenCV's imgcodecs. Text is recognised
// with Debian's Tesseract 5 (libtesseract-dev) through its C API.
let openCVLibraries = ["opencv_core", "opencv_imgproc", "opencv_objdetect"]
// Codecs and colour management, all from Debian: HEIF/AVIF (libheif), TIFF, GIF, ICC (lcms2).
let codecLibraries = ["jpeg", "png16", "webp", "heif", "tiff", "gif", "lcms2"]

let package = Package(
    name: "Obscura",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Obscura", targets: ["Obscura"]),
        .executable(name: "obscura", targets: ["obscura"]),
        .executable(name: "obscura-eval", targets: ["obscura-eval"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `obscura serve`: HTTP server, job store, zip downloads, logging.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // SHA-256 (report hashes, model checks), HMAC-SHA256 (webhooks), MD5 (ICC Profile IDs).
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.0.0"),
        // `obscura serve --database` and `obscura worker`: jobs in PostgreSQL.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // `/metrics` in Prometheus's text format.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Thin, prefixed C APIs, one per thing they wrap; everything that decides what gets
        // removed lives in Swift. The statuses and message writer the three below share:
        .target(name: "CObscuraStatus"),
        // The codecs and Little CMS:
        .target(
            name: "CObscuraCodecs",
            dependencies: ["CObscuraStatus"],
            cxxSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: (codecLibraries + ["stdc++"]).map { .linkedLibrary($0) }
        ),
        // OpenCV: area resizing and the plate cascade.
        .target(
            name: "CObscuraVision",
            dependencies: ["CObscuraStatus"],
            cxxSettings: [.unsafeFlags(["-I/usr/include/opencv4", "-O2"])],
            linkerSettings: (openCVLibraries + ["stdc++"]).map { .linkedLibrary($0) }
        ),
        // Tesseract, through its C API.
        .target(
            name: "CObscuraOCR",
            dependencies: ["CObscuraStatus"],
            linkerSettings: [.linkedLibrary("tesseract"), .linkedLibrary("stdc++"), .linkedLibrary("dl")]
        ),
        // A thin, prefixed C API over OpenVINO's C API, which it loads with dlopen: the build
        // needs nothing from the wheel, and a missing runtime is a set-up error at run time.
        .target(
            name: "COpenVINO",
            linkerSettings: [.linkedLibrary("dl"), .linkedLibrary("pthread")]
        ),
        .target(
            name: "Obscura",
            dependencies: ["CObscuraStatus", "CObscuraCodecs", "CObscuraVision", "CObscuraOCR", "COpenVINO",
                           .product(name: "Crypto", package: "swift-crypto")],
            // The metadata tag tables, data kept as data and compiled into the binary.
            resources: [.embedInCode("Inspect/tags.tsv")]
        ),
        // The server behind `obscura serve`: jobs in SQLite, workers, the REST API. The HTTP
        // edge stays thin; every image still goes through the `Obscura` library.
        .target(
            name: "ObscuraServer",
            dependencies: [
                "Obscura",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // Served as they are, compiled into the binary: the API's OpenAPI document (written
            // by scripts/openapi.py) and the review page.
            resources: [.embedInCode("API/openapi.json"), .embedInCode("Web/index.html")]
        ),
        .executableTarget(
            name: "obscura",
            dependencies: [
                "Obscura",
                "ObscuraServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // `obscura submit`: the client of a running `obscura serve`.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "obscura-eval",
            dependencies: ["Obscura"]
        ),
        // Fuzz targets for the inspectors and decoders; scripts/fuzz.sh builds them with
        // libFuzzer, the plain build replays files (the committed corpus, a crash found).
        .executableTarget(
            name: "obscura-fuzz",
            dependencies: ["Obscura"]
        ),
        .testTarget(
            name: "ObscuraTests",
            // The CLI tests run the built `obscura` binary.
            dependencies: ["Obscura", "obscura"],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "ObscuraServerTests",
            // The `obscura submit` tests run the built `obscura` binary against a server on loopback.
            dependencies: [
                "ObscuraServer",
                "obscura",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
    ],
    cxxLanguageStandard: .cxx17
)
