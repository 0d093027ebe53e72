import Foundation
import RunnerDeckCLI

exit(await runRunnerDeck())
