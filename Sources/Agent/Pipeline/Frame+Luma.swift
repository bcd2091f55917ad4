// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import Imaging

extension Frame {
  /// The frame's luma plane, as the pipeline reads every frame: MJPEG through TurboJPEG, raw
  /// YUYV and GREY checked against the size the frame states. A damaged frame throws.
  public func luma(decoder: JPEGDecoder) throws(ImagingError) -> LumaImage {
    if pixelFormat.isJPEG { return try decoder.decodeLuma(bytes) }
    if pixelFormat == .yuyv { return try LumaImage(yuyv: bytes, width: width, height: height) }
    return try LumaImage(grey: bytes, width: width, height: height)
  }
}
