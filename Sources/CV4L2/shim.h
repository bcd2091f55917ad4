// SPDX-License-Identifier: AGPL-3.0-or-later
//
// Why this shim exists: Swift cannot import variadic C functions (v4l2_open, v4l2_ioctl are
// declared `...`) nor function-like macros (the VIDIOC_* numbers are built with _IOWR, the
// V4L2_PIX_FMT_* codes with v4l2_fourcc). This header gives them fixed signatures and typed
// constants. Every symbol carries the CV4L2_ prefix.
#ifndef CV4L2_SHIM_H
#define CV4L2_SHIM_H

#include <errno.h>
#include <fcntl.h>
#include <libv4l2.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <sys/mman.h>
#include <time.h>

/// Opens a V4L2 device through libv4l2. The corresponding C function is `v4l2_open`.
static inline int CV4L2_open(const char *path, int flags) {
  int fd;
  do { fd = v4l2_open(path, flags); } while (fd == -1 && errno == EINTR);
  return fd;
}

/// Issues an ioctl through libv4l2, retrying when a signal interrupted it.
/// The corresponding C function is `v4l2_ioctl`.
static inline int CV4L2_ioctl(int fd, unsigned long request, void *arg) {
  int r;
  do { r = v4l2_ioctl(fd, request, arg); } while (r == -1 && errno == EINTR);
  return r;
}

/// Closes a descriptor opened with CV4L2_open. The corresponding C function is `v4l2_close`.
static inline int CV4L2_close(int fd) { return v4l2_close(fd); }

/// Maps a driver buffer. The corresponding C function is `v4l2_mmap`.
static inline void *CV4L2_mmap(void *start, size_t length, int prot, int flags, int fd, long long offset) {
  return v4l2_mmap(start, length, prot, flags, fd, (int64_t)offset);
}

/// Unmaps a driver buffer. The corresponding C function is `v4l2_munmap`.
static inline int CV4L2_munmap(void *start, size_t length) { return v4l2_munmap(start, length); }

/// The value `mmap` returns on failure (a macro cast, which Swift does not import).
static inline int CV4L2_is_map_failed(void *p) { return p == MAP_FAILED; }

// Ioctl numbers (_IOR/_IOW/_IOWR macros are not imported).
static const unsigned long CV4L2_VIDIOC_QUERYCAP = VIDIOC_QUERYCAP;
static const unsigned long CV4L2_VIDIOC_ENUM_FMT = VIDIOC_ENUM_FMT;
static const unsigned long CV4L2_VIDIOC_ENUM_FRAMESIZES = VIDIOC_ENUM_FRAMESIZES;
static const unsigned long CV4L2_VIDIOC_ENUM_FRAMEINTERVALS = VIDIOC_ENUM_FRAMEINTERVALS;
static const unsigned long CV4L2_VIDIOC_G_FMT = VIDIOC_G_FMT;
static const unsigned long CV4L2_VIDIOC_S_FMT = VIDIOC_S_FMT;
static const unsigned long CV4L2_VIDIOC_TRY_FMT = VIDIOC_TRY_FMT;
static const unsigned long CV4L2_VIDIOC_G_PARM = VIDIOC_G_PARM;
static const unsigned long CV4L2_VIDIOC_S_PARM = VIDIOC_S_PARM;
static const unsigned long CV4L2_VIDIOC_QUERYCTRL = VIDIOC_QUERYCTRL;
static const unsigned long CV4L2_VIDIOC_QUERYMENU = VIDIOC_QUERYMENU;
static const unsigned long CV4L2_VIDIOC_G_CTRL = VIDIOC_G_CTRL;
static const unsigned long CV4L2_VIDIOC_S_CTRL = VIDIOC_S_CTRL;
static const unsigned long CV4L2_VIDIOC_ENUMINPUT = VIDIOC_ENUMINPUT;
static const unsigned long CV4L2_VIDIOC_G_INPUT = VIDIOC_G_INPUT;
static const unsigned long CV4L2_VIDIOC_S_INPUT = VIDIOC_S_INPUT;
static const unsigned long CV4L2_VIDIOC_ENUMOUTPUT = VIDIOC_ENUMOUTPUT;
static const unsigned long CV4L2_VIDIOC_S_OUTPUT = VIDIOC_S_OUTPUT;
static const unsigned long CV4L2_VIDIOC_REQBUFS = VIDIOC_REQBUFS;
static const unsigned long CV4L2_VIDIOC_QUERYBUF = VIDIOC_QUERYBUF;
static const unsigned long CV4L2_VIDIOC_QBUF = VIDIOC_QBUF;
static const unsigned long CV4L2_VIDIOC_DQBUF = VIDIOC_DQBUF;
static const unsigned long CV4L2_VIDIOC_STREAMON = VIDIOC_STREAMON;
static const unsigned long CV4L2_VIDIOC_STREAMOFF = VIDIOC_STREAMOFF;

// Pixel formats (v4l2_fourcc is a function-like macro).
static const unsigned int CV4L2_PIX_FMT_YUYV = V4L2_PIX_FMT_YUYV;
static const unsigned int CV4L2_PIX_FMT_GREY = V4L2_PIX_FMT_GREY;
static const unsigned int CV4L2_PIX_FMT_MJPEG = V4L2_PIX_FMT_MJPEG;
static const unsigned int CV4L2_PIX_FMT_JPEG = V4L2_PIX_FMT_JPEG;
static const unsigned int CV4L2_PIX_FMT_RGB24 = V4L2_PIX_FMT_RGB24;

// Control ids (arithmetic on other macros, imported unreliably).
static const unsigned int CV4L2_CID_EXPOSURE = V4L2_CID_EXPOSURE;
static const unsigned int CV4L2_CID_AUTOGAIN = V4L2_CID_AUTOGAIN;
static const unsigned int CV4L2_CID_GAIN = V4L2_CID_GAIN;
static const unsigned int CV4L2_CID_EXPOSURE_AUTO = V4L2_CID_EXPOSURE_AUTO;
static const unsigned int CV4L2_CID_EXPOSURE_ABSOLUTE = V4L2_CID_EXPOSURE_ABSOLUTE;
static const unsigned int CV4L2_CTRL_FLAG_NEXT_CTRL = V4L2_CTRL_FLAG_NEXT_CTRL;

#endif
