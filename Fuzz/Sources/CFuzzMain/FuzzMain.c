// SwiftPM links a debug executable target with `main` set to `<Target>_main` (so tests can import it).
// A fuzz target has no main of its own (libFuzzer drives it), so these hand the process to libFuzzer.
#include <stddef.h>
#include <stdint.h>
#include "CFuzzMain.h"

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run(int argc, char **argv) { return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput); }

int FuzzDispatch_main(int argc, char **argv) { return run(argc, argv); }
int FuzzSigV4_main(int argc, char **argv) { return run(argc, argv); }
int FuzzResponses_main(int argc, char **argv) { return run(argc, argv); }
