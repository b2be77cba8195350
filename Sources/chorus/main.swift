import ChorusCLI
ChorusCLI.runMain()
