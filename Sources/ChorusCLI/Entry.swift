// placeholder, replaced below
public enum ChorusCLI { public static func runMain() {} }
