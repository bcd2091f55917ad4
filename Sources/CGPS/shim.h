// SPDX-License-Identifier: AGPL-3.0-or-later
// CGPS: libgps (gpsd's client library, Debian libgps-dev) for Swift.
// gps.h imports cleanly; this shim exists so the module map has one header to name and so
// errno (read after a failed gps_open) comes along with it.
#ifndef CGPS_SHIM_H
#define CGPS_SHIM_H
#include <gps.h>
#include <errno.h>
#endif
