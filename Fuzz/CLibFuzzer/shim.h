// SPDX-License-Identifier: AGPL-3.0-or-later
// libFuzzer's driver, from clang's libclang_rt.fuzzer_no_main (the archive without libFuzzer's own
// `main`, which would clash with the entry point SwiftPM gives every executable).
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
