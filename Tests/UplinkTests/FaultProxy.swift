// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineTestKit
import Foundation
import NIOCore
import NIOPosix

/// What the proxy does to one TCP connection between the device and the hub.
enum ProxyFault: String, CaseIterable, Sendable {
  /// Forwards, but cuts the connection after a long random stretch of request bytes, so that a
  /// kept-alive connection does not carry the whole test unharmed.
  case pass
  /// Cuts the connection partway through what the device sends.
  case dropMidRequest
  /// Cuts the connection early in what the hub sends (often inside the TLS handshake).
  case dropMidResponse
  /// Answers the connection with a TCP reset.
  case reset
  /// Forwards nothing for longer than the device's request timeout, then closes.
  case stall
  /// Forwards the start of the hub's reply and then closes: a truncated reply.
  case truncatedReply
}

/// A TCP proxy on 127.0.0.1 that injects faults, one drawn per connection. The hub's port can
/// change while it runs (the hub restarts on a new port).
final class FaultProxy: Sendable {
  let target = LockedBox(0)
  let counts = LockedBox<[ProxyFault: Int]>([:])
  let draw: @Sendable () -> ProxyFault
  let stall: Duration

  init(stall: Duration = .seconds(2), draw: @escaping @Sendable () -> ProxyFault) {
    self.stall = stall
    self.draw = draw
  }

  struct Cut: Error {}

  /// Runs the proxy for the duration of `body`, which receives its port.
  func run<T: Sendable>(_ body: @Sendable (Int) async throws -> T) async throws -> T {
    let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
      .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
      .bind(host: "127.0.0.1", port: 0) { channel in
        channel.eventLoop.makeCompletedFuture {
          try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
        }
      }
    let port = server.channel.localAddress?.port ?? 0
    return try await withThrowingTaskGroup(of: T?.self) { group in
      group.addTask {
        try await withThrowingDiscardingTaskGroup { connections in
          try await server.executeThenClose { inbound in
            for try await client in inbound {
              connections.addTask { await self.handle(client) }
            }
          }
        }
        return nil
      }
      let result = try await body(port)
      group.cancelAll()
      try? await server.channel.close()
      return result
    }
  }

  func handle(_ client: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
    let fault = draw()
    counts.mutate { $0[fault, default: 0] += 1 }
    do {
      switch fault {
      case .reset:
        if let socket = client.channel as? any SocketOptionProvider {
          try await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try await client.channel.close()
        return
      case .stall:
        try await Task.sleep(for: stall)
        try await client.channel.close()
        return
      default:
        break
      }
      let upstream = try await ClientBootstrap(group: client.channel.eventLoop)
        .connect(host: "127.0.0.1", port: target.value) { channel in
          channel.eventLoop.makeCompletedFuture {
            try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
          }
        }
      let requestBudget: Int? =
        switch fault {
        case .pass: Int.random(in: 200_000...2_000_000)
        case .dropMidRequest: Int.random(in: 50...150_000)
        default: nil
        }
      let replyBudget: Int? =
        switch fault {
        case .dropMidResponse: Int.random(in: 20...1_500)
        case .truncatedReply: Int.random(in: 1_600...6_000)
        default: nil
        }
      try await client.executeThenClose { clientIn, clientOut in
        try await upstream.executeThenClose { hubIn, hubOut in
          try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Self.pump(clientIn, to: hubOut, budget: requestBudget) }
            group.addTask { try await Self.pump(hubIn, to: clientOut, budget: replyBudget) }
            defer { group.cancelAll() }
            try await group.next()
          }
        }
      }
    } catch {
      try? await client.channel.close()
    }
  }

  /// Copies bytes one way; after `budget` bytes it forwards the rest of that chunk only up to the
  /// budget and throws, which closes both connections.
  static func pump(
    _ input: NIOAsyncChannelInboundStream<ByteBuffer>, to output: NIOAsyncChannelOutboundWriter<ByteBuffer>,
    budget: Int?
  ) async throws {
    var left = budget ?? Int.max
    for try await var buffer in input {
      if buffer.readableBytes >= left {
        if left > 0, let slice = buffer.readSlice(length: left) { try await output.write(slice) }
        throw Cut()
      }
      left -= buffer.readableBytes
      try await output.write(buffer)
    }
  }
}
