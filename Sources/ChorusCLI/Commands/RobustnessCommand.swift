// `chorus robustness`: which dataset characteristics explain a collective's success. Takes the
// results folders of one spec run on several datasets, and prints (and optionally writes) one
// regression per strategy × statistics × size. The joining and fitting live in Lab.
import ChorusCore
import Foundation
import Lab
import PlaylistData

enum RobustnessCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "robustness",
      abstract: "Regress a result (amplification) on dataset characteristics across studies.",
      discussion:
        "Give the results folders of the same spec run on several datasets (e.g. generated with 'chorus dataset generate --set ...'). Each study's dataset is reloaded from the path its spec.resolved.json names (relative paths from the current folder) and checked against the recorded content hash. Characteristics: \(DatasetCharacteristics.names.joined(separator: ", ")). For every strategy × statistics × size, the response is fitted by least squares on the chosen predictors, standardised (coefficients per standard deviation of the characteristic), with 95% CIs from Student's t; a group needs more datasets than predictors + 1. Each fitted group is refitted without each design in turn (the draws of one design, folders that differ only in a trailing -sK as robustness-sweep.sh names them, leave together), and the table says how far each coefficient moves and in how many refits its CI still excludes 0 (with a dozen datasets one design can carry a slope). Pairs of predictors that correlate above 0.9 across the datasets are named in a warning: their coefficients cannot be told apart.",
      arguments: [
        ArgumentSpec("folders", help: "Finished results folders.", variadic: true)
      ],
      options: [
        .option(
          "predictors", value: "list", help: "Comma-separated characteristics.",
          default: "density,share_once,mean_length"),
        .option(
          "response", value: "column", help: "A numeric column of summary.csv.",
          default: "amplification"),
        .flag("raw", help: "Do not standardise the predictors (coefficients in their own units)."),
        .option(
          "out", short: "o", value: "dir",
          help:
            "Also write observations.csv, coefficients.csv, leave-one-out.csv (every group refitted without each design in turn: one row per left-out design and term) and their figures to this new or empty folder: coefficients.svg (per strategy and size a panel, each predictor's coefficient with its 95% CI, R² and residual df; groups not fitted say why) and observations.svg (the response against each characteristic, one point per study labelled with its folder's name)."
        ),
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    let predictors = (p.value("predictors") ?? "density,share_once,mean_length")
      .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    for name in predictors where !DatasetCharacteristics.names.contains(name) {
      throw ChorusError(
        .usage, "unknown characteristic '\(name)'", field: "predictors",
        hint: "choose from \(DatasetCharacteristics.names.joined(separator: ", "))")
    }
    guard Set(predictors).count == predictors.count, !predictors.isEmpty else {
      throw ChorusError(
        .usage, "--predictors must name distinct characteristics", field: "predictors")
    }
    let response = p.value("response") ?? "amplification"
    let standardize = !p.flag("raw")
    let folders = p.variadic
    let observations = try RobustnessStudy.load(folders: folders, response: response)
    let fits = RobustnessStudy.fit(observations, predictors: predictors, standardize: standardize)
    if let out = p.value("out") {
      let observationsCSV = RobustnessStudy.observationsTable(observations, response: response).text
      let coefficientsCSV = RobustnessStudy.coefficientsTable(fits).text
      let leaveOneOutCSV = RobustnessStudy.leaveOneOutTable(fits).text
      let coefficientsSVG = RobustnessStudy.coefficientFigure(
        fits, predictors: predictors, response: response, standardized: standardize
      )?.svg()
      let observationsSVG = RobustnessStudy.scatterFigure(
        observations, predictors: predictors, response: response
      )?.svg()
      try FileIO.writeFolderAtomically(
        to: out,
        replaceable: [
          "observations.csv", "coefficients.csv", "leave-one-out.csv", "coefficients.svg",
          "observations.svg",
        ]
      ) {
        staging in
        try FileIO.writeAtomically(observationsCSV, to: staging + "/observations.csv")
        try FileIO.writeAtomically(coefficientsCSV, to: staging + "/coefficients.csv")
        try FileIO.writeAtomically(leaveOneOutCSV, to: staging + "/leave-one-out.csv")
        if let svg = coefficientsSVG {
          try FileIO.writeAtomically(svg, to: staging + "/coefficients.svg")
        }
        if let svg = observationsSVG {
          try FileIO.writeAtomically(svg, to: staging + "/observations.svg")
        }
      }
    }
    Console.out(
      "\(Set(observations.map(\.folder)).count) studies, \(observations.count) observations; \(response) on \(predictors.joined(separator: ", "))\n"
    )
    let r = RobustnessStudy.predictorCorrelations(observations, predictors: predictors)
    for a in predictors.indices {
      for b in predictors.indices where b > a && abs(r[a][b]) > 0.9 {
        Console.out(
          String(
            format:
              "warning: %@ and %@ correlate at %.2f across these datasets; their coefficients cannot be told apart (drop one)\n",
            predictors[a], predictors[b], r[a][b]))
      }
    }
    Console.out(RobustnessStudy.markdown(fits, response: response, standardized: standardize))
    return 0
  }
}
