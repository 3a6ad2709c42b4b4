// Declarations only (include/CLibFuzzer.h); the definitions are in libFuzzer.
