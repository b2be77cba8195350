import ChorusCLI

ChorusCommandLine.runMain()
