// Test support: fixtures.
import ChorusCore
