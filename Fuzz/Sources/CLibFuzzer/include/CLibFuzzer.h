#ifndef HEGUI_FUZZ_CLIBFUZZER_H
#define HEGUI_FUZZ_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt `FuzzerDriver.cpp`): parses libFuzzer's flags from argv and
/// runs `callback` on every input. The harnesses call it from their own `main` instead of linking
/// libFuzzer's: SwiftPM renames an executable's entry point on Linux (`--defsym main=…_main`), which
/// a module without `main` cannot satisfy.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
