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
    .library(name: "CollectiveAction", targets: ["CollectiveAction"]),
    .library(name: "Recommenders", targets: ["Recommenders"]),
    .library(name: "Evaluation", targets: ["Evaluation"]),
    .library(name: "Defences", targets: ["Defences"]),
    .library(name: "Lab", targets: ["Lab"]),
  ],
  targets: [
    .target(name: "ChorusCore"),
    .target(name: "PlaylistData", dependencies: ["ChorusCore"]),
    .target(name: "CollectiveAction", dependencies: ["ChorusCore", "PlaylistData"]),
    .target(name: "ChorusCSupport"),
    .target(name: "Recommenders", dependencies: ["ChorusCore", "ChorusCSupport"]),
    .target(name: "Evaluation", dependencies: ["ChorusCore", "PlaylistData", "Recommenders"]),
    .target(name: "Defences", dependencies: ["ChorusCore", "Recommenders"]),
    .target(name: "Reports", dependencies: ["ChorusCore"]),
    .target(
      name: "Lab",
      dependencies: [
        "ChorusCore", "PlaylistData", "CollectiveAction", "Recommenders", "Evaluation", "Reports",
        "Defences",
      ]),
    .target(
      name: "ChorusCLI",
      dependencies: [
        "ChorusCore", "PlaylistData", "CollectiveAction", "Recommenders", "Evaluation", "Lab",
        "Reports", "Defences",
      ]),
    .executableTarget(name: "chorus", dependencies: ["ChorusCLI"]),
    .target(
      name: "ChorusTestSupport", dependencies: ["ChorusCore", "PlaylistData", "Recommenders"]),
    .testTarget(name: "ChorusCoreTests", dependencies: ["ChorusCore", "ChorusTestSupport"]),
    .testTarget(
      name: "PlaylistDataTests", dependencies: ["PlaylistData", "ChorusCore", "ChorusTestSupport"]),
    .testTarget(
      name: "RecommendersTests", dependencies: ["Recommenders", "ChorusCore", "ChorusTestSupport"]),
    .testTarget(
      name: "EvaluationTests",
      dependencies: [
        "Evaluation", "Recommenders", "ChorusCore", "PlaylistData", "ChorusTestSupport",
      ]),
    .testTarget(
      name: "CollectiveActionTests",
      dependencies: ["CollectiveAction", "PlaylistData", "ChorusCore", "ChorusTestSupport"]),
    .testTarget(
      name: "DefencesTests", dependencies: ["Defences", "Recommenders", "ChorusCore"]),
    .testTarget(
      name: "LabTests",
      dependencies: [
        "Lab", "Evaluation", "Recommenders", "ChorusCore", "PlaylistData", "Reports",
        "ChorusTestSupport",
      ]),
    .testTarget(
      name: "ChorusCLITests",
      dependencies: ["ChorusCLI", "ChorusCore", "PlaylistData", "ChorusTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
