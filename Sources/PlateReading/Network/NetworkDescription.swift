// SPDX-License-Identifier: AGPL-3.0-or-later

/// A model's description (`NAME.json`) in the chalkline-nn format, version 1 (tools/train/FORMAT.md).
public struct NetworkDescription: Sendable, Decodable {
  /// The input tensor's shape and normalisation; a height or width of 0 means "any size".
  public struct Input: Sendable, Decodable {
    /// Channels (1 for luma).
    public var channels: Int
    /// Height, or 0 for any.
    public var height: Int
    /// Width, or 0 for any.
    public var width: Int
    /// Subtracted from luma in [0,1].
    public var mean: Float
    /// Divides the centred luma.
    public var std: Float
  }

  /// One layer; which fields are set depends on `op`.
  public struct Layer: Sendable, Decodable {
    /// Unique layer name.
    public var name: String
    /// The operation (`conv2d`, `maxpool2d`, …).
    public var op: String
    /// The layer feeding this one (default: the previous layer).
    public var input: String?
    /// The layers feeding `add` and `concat`.
    public var inputs: [String]?
    public var inChannels: Int?
    public var outChannels: Int?
    public var kernel: [Int]?
    public var stride: [Int]?
    public var padding: [Int]?
    public var groups: Int?
    public var weightOffset: Int?
    public var biasOffset: Int?
    public var activation: String?
    public var slope: Float?
    public var scale: Int?
    public var inFeatures: Int?
    public var outFeatures: Int?

    enum CodingKeys: String, CodingKey {
      case name, op, input, inputs, kernel, stride, padding, groups, activation, slope, scale
      case inChannels = "in_channels"
      case outChannels = "out_channels"
      case weightOffset = "weight_offset"
      case biasOffset = "bias_offset"
      case inFeatures = "in_features"
      case outFeatures = "out_features"
    }
  }

  /// Always `chalkline-nn`.
  public var format: String
  /// Format version (1).
  public var version: Int
  /// Model name.
  public var name: String
  /// Input shape and normalisation.
  public var input: Input
  /// Layers, run in order.
  public var layers: [Layer]
  /// Names of the layers whose tensors a run returns.
  public var outputs: [String]
  /// Free-form, model-specific values (numbers, strings, …).
  public var meta: [String: MetaValue]
}

/// A JSON value from a model's free-form `meta` object.
public enum MetaValue: Sendable, Decodable, Equatable {
  case number(Double)
  case string(String)
  case bool(Bool)
  case array([MetaValue])
  case object([String: MetaValue])
  case null

  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([MetaValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: MetaValue].self))
    }
  }

  /// The number, if this is one.
  public var number: Double? { if case .number(let d) = self { d } else { nil } }
  /// The string, if this is one.
  public var string: String? { if case .string(let s) = self { s } else { nil } }
}
