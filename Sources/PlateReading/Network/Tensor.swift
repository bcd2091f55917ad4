// SPDX-License-Identifier: AGPL-3.0-or-later

/// A float32 tensor in CHW layout (batch 1), as the chalkline-nn format defines.
public struct Tensor: Sendable, Equatable {
  /// Channels.
  public let channels: Int
  /// Height.
  public let height: Int
  /// Width.
  public let width: Int
  /// `channels * height * width` values, channel after channel, row after row.
  public var values: [Float]

  /// Creates a tensor; `values.count` must be `channels * height * width`.
  public init(channels: Int, height: Int, width: Int, values: [Float]) {
    precondition(values.count == channels * height * width, "tensor values do not match its shape")
    self.channels = channels
    self.height = height
    self.width = width
    self.values = values
  }

  /// Creates a zero tensor.
  public init(channels: Int, height: Int, width: Int) {
    self.init(
      channels: channels, height: height, width: width, values: [Float](repeating: 0, count: channels * height * width))
  }

  /// The value at channel `c`, row `y`, column `x`.
  @inlinable
  public subscript(c: Int, y: Int, x: Int) -> Float {
    get { values[(c * height + y) * width + x] }
    set { values[(c * height + y) * width + x] = newValue }
  }
}
