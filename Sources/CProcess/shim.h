// SPDX-License-Identifier: AGPL-3.0-or-later
//
// CProcess: prctl(2) is variadic and so cannot be called from Swift; these wrappers give the
// agent the two calls it makes at start to keep its memory (frames, plate strings, keys) out of
// core dumps.
#ifndef CPROCESS_SHIM_H
#define CPROCESS_SHIM_H

#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>

/// Sets the process's "dumpable" attribute (0: no core dump, no ptrace by the same user, /proc
/// files owned by root). The corresponding C call is `prctl(PR_SET_DUMPABLE, value, 0, 0, 0)`.
/// Returns 0, or -1 with errno set.
static inline int CProcess_set_dumpable(int value) { return prctl(PR_SET_DUMPABLE, (unsigned long)value, 0, 0, 0); }

/// The process's "dumpable" attribute. The corresponding C call is `prctl(PR_GET_DUMPABLE)`.
static inline int CProcess_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }

/// Sets the core file size limit (soft and hard) to zero. The corresponding C call is
/// `setrlimit(RLIMIT_CORE, {0, 0})`. Returns 0, or -1 with errno set.
static inline int CProcess_disable_core_files(void) {
  struct rlimit none = {0, 0};
  return setrlimit(RLIMIT_CORE, &none);
}

/// The current soft core file size limit, or -1 with errno set.
static inline long long CProcess_core_limit(void) {
  struct rlimit limit;
  if (getrlimit(RLIMIT_CORE, &limit) != 0) return -1;
  return (long long)limit.rlim_cur;
}

#endif
