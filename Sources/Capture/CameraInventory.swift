// SPDX-License-Identifier: AGPL-3.0-or-later

#if canImport(FoundationEssentials)
  import FoundationEssentials
#else
  import Foundation
#endif

/// Finds and describes the V4L2 device nodes on this machine (`chalkline devices`).
public enum CameraInventory {
  /// The `/dev/video*` nodes, in numeric order.
  public static func nodes(in directory: String = "/dev") -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return
      names
      .filter { $0.hasPrefix("video") && Int($0.dropFirst(5)) != nil }
      .sorted { Int($0.dropFirst(5))! < Int($1.dropFirst(5))! }
      .map { directory + "/" + $0 }
  }

  /// Opens `path`, describes what it offers and closes it again.
  public static func describe(_ path: String) throws(CaptureError) -> DeviceDescription {
    let device = try V4L2Device.open(path)
    defer { device.close() }
    return try device.describe()
  }
}
