// swift-tools-version: 6.1
// Chorus: an open lab for algorithmic collective action in playlist recommenders.
// No third-party dependencies: only the toolchain's Foundation, Dispatch, Synchronization
// and Swift Testing.
import PackageDescription

let package = Package(
  name: "Chorus",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "chorus", targets: ["chorus"]),
    .library(name: "ChorusCore", targets: ["ChorusCore"]),
    .library(name: "PlaylistData", targets: ["PlaylistData"]),
  ],
  targets: [
    .target(name: "ChorusCore"),
    .target(name: "PlaylistData", dependencies: ["ChorusCore"]),
    .target(name: "ChorusCLI", dependencies: ["ChorusCore", "PlaylistData"]),
    .executableTarget(name: "chorus", dependencies: ["ChorusCLI"]),
    .target(name: "ChorusTestSupport", dependencies: ["ChorusCore", "PlaylistData"]),
    .testTarget(name: "ChorusCoreTests", dependencies: ["ChorusCore", "ChorusTestSupport"]),
    .testTarget(
      name: "PlaylistDataTests", dependencies: ["PlaylistData", "ChorusCore", "ChorusTestSupport"]),
    .testTarget(
      name: "ChorusCLITests",
      dependencies: ["ChorusCLI", "ChorusCore", "PlaylistData", "ChorusTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
