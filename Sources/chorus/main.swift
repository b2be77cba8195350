import ChorusCLI

ChorusCLI.runMain()
