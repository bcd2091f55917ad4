// SPDX-License-Identifier: AGPL-3.0-or-later

import Foundation
import Logging

/// A vehicle's device id, as registered at the upstream hub.
public struct DeviceID: Hashable, Sendable, CustomStringConvertible {
  public let rawValue: String
  public init(_ rawValue: String) { self.rawValue = rawValue }
  public var description: String { rawValue }
}

/// Everything one vehicle's agent is configured with: one YAML file per vehicle and camera.
///
/// Every key, its default and its range are listed in ``ProfileSchema`` and documented for
/// technicians in `device-profiles/README.md`. Load one with ``DeviceProfile/load(from:root:)``.
public struct DeviceProfile: Sendable, Equatable {
  /// The camera and how it is mounted.
  public struct Camera: Sendable, Equatable {
    /// Which side of the vehicle the camera looks out of.
    public enum Side: String, Sendable, Equatable { case left, right }
    /// A setting the driver may choose itself.
    public enum Control: Sendable, Equatable {
      case auto
      case manual(Int)
    }
    public var device: String
    /// Most preferred first: `MJPG`, `YUYV`, `GREY`.
    public var pixelFormats: [String]
    public var width: Int
    public var height: Int
    public var fps: Double
    public var buffers: Int
    /// Microseconds, or auto.
    public var exposure: Control
    public var gain: Control
    /// Seconds without a frame before the camera is reopened.
    public var stallTimeout: Double
    public var side: Side
    public var curbDistance: Double
    public var forwardOffset: Double
    public var yawDegrees: Double
    public var mountError: Double
  }

  /// Where gpsd is and which fixes are good enough.
  public struct GPS: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// Metres.
    public var maxEph: Double
    /// Seconds.
    public var maxFixAge: Double
    /// Seconds.
    public var maxExtrapolation: Double
  }

  /// The plate reader.
  public struct Reader: Sendable, Equatable {
    public var model: String
    public var minConfidence: Double
    public var alternatives: Int
  }

  /// The rules the agent enforces.
  public struct Enforcement: Sendable, Equatable {
    /// Absolute path of the Curb Data Specification file.
    public var zonesFile: String
    /// Absolute path of the CDS policies response, when the zones file does not carry the policies.
    public var policiesFile: String? = nil
    /// Absolute path of the designated-periods (holidays) document, if any.
    public var periodsFile: String? = nil
    public var timeZone: String
    /// Metres.
    public var samePlaceTolerance: Double
    /// Seconds.
    public var grace: Double
    /// Seconds.
    public var permitMinObservation: Double
  }

  /// The encrypted store.
  public struct Vault: Sendable, Equatable {
    public var stateDirectory: String
    /// Bytes.
    public var quota: Int64
    /// Seconds.
    public var maxUnsyncedAge: Double
    /// Bytes held against a full disk (`VaultConfiguration.spaceReserveBytes`); 0 for none.
    public var spaceReserve: Int64 = 16 << 20
  }

  /// The upstream hub; absent when the agent syncs nothing.
  public struct Uplink: Sendable, Equatable {
    public var url: URL
    public var clientCertificate: String
    public var clientKey: String
    public var caCertificate: String
    public var upstreamKeys: String
    /// Seconds.
    public var syncInterval: Double
    public var batchSize: Int
  }

  public var deviceID: DeviceID
  public var description: String?
  public var camera: Camera
  public var gps: GPS
  public var reader: Reader
  public var enforcement: Enforcement
  public var vault: Vault
  public var uplink: Uplink?
  public var logLevel: Logger.Level
  /// 0 when metrics are off.
  public var metricsPort: Int
}
