// SPDX-License-Identifier: AGPL-3.0-or-later
// Why this shim exists: it imports OpenBLAS' cblas.h (Debian libopenblas-dev) as a Swift
// module, and gives one call to pin OpenBLAS to a single thread: the agent budgets one core
// for plate reading, and OpenBLAS' own thread pool only adds contention on 2 cores.
#ifndef CBLAS_SHIM_H
#define CBLAS_SHIM_H
#include <cblas.h>

/// Pins OpenBLAS to one thread. The corresponding C function is `openblas_set_num_threads`.
static inline void CBLAS_setSingleThreaded(void) { openblas_set_num_threads(1); }

#endif
