// SPDX-License-Identifier: AGPL-3.0-or-later
// Why this shim exists: turbojpeg.h uses size_t without including <stddef.h> first, and its
// pixel-format and flag macros are easier to use from Swift as typed constants.
// Only the TurboJPEG 2.x API is used (Debian 12 ships libjpeg-turbo 2.1.5, no tj3* calls).
#ifndef CTURBOJPEG_SHIM_H
#define CTURBOJPEG_SHIM_H
#include <stddef.h>
#include <turbojpeg.h>

/// TJFLAG_FASTDCT as an int32 flag value.
static const int CTurboJPEG_FLAG_FASTDCT = TJFLAG_FASTDCT;
/// TJFLAG_STOPONWARNING: a damaged stream is an error, not a grey picture.
static const int CTurboJPEG_FLAG_STOPONWARNING = TJFLAG_STOPONWARNING;
/// Pixel formats as plain ints (the C enum imports as a struct with a rawValue).
static const int CTurboJPEG_PF_GRAY = TJPF_GRAY;
static const int CTurboJPEG_PF_RGB = TJPF_RGB;
/// Chroma subsampling for encoding.
static const int CTurboJPEG_SAMP_420 = TJSAMP_420;
static const int CTurboJPEG_SAMP_GRAY = TJSAMP_GRAY;

#endif
