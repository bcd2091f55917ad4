// SPDX-License-Identifier: AGPL-3.0-or-later

import CoreMetrics
import Prometheus

/// swift-metrics' factory for the agent: swift-prometheus' own factory over the agent's
/// registry, except that the agent's counters and gauges get their help text (Prometheus'
/// factory registers every metric with none, and a registry refuses two help texts for a name).
/// `chalkline run` bootstraps `MetricsSystem` with it; ``AgentMetrics`` makes its metrics on it.
public struct AgentMetricsFactory: MetricsFactory, Sendable {
  /// The registry `/metrics` is rendered from.
  public let registry: PrometheusCollectorRegistry
  private let prometheus: PrometheusMetricsFactory
  /// Help text by metric name (`chalkline_frames_read_total`).
  private let help: [String: String]

  public init(registry: PrometheusCollectorRegistry, help: [String: String]) {
    self.registry = registry
    self.prometheus = PrometheusMetricsFactory(registry: registry)
    self.help = help
  }

  public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
    guard let text = help[label] else { return prometheus.makeCounter(label: label, dimensions: dimensions) }
    return registry.makeCounter(name: label, labels: dimensions, help: text)
  }

  public func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler
  {
    guard let text = help[label] else {
      return prometheus.makeFloatingPointCounter(label: label, dimensions: dimensions)
    }
    return registry.makeCounter(name: label, labels: dimensions, help: text)
  }

  public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
    guard !aggregate, let text = help[label] else {
      return prometheus.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }
    return registry.makeGauge(name: label, labels: dimensions, help: text)
  }

  public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
    guard let text = help[label] else { return prometheus.makeMeter(label: label, dimensions: dimensions) }
    return registry.makeGauge(name: label, labels: dimensions, help: text)
  }

  public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
    prometheus.makeTimer(label: label, dimensions: dimensions)
  }

  public func destroyCounter(_ handler: any CounterHandler) { prometheus.destroyCounter(handler) }
  public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
    prometheus.destroyFloatingPointCounter(handler)
  }
  public func destroyRecorder(_ handler: any RecorderHandler) { prometheus.destroyRecorder(handler) }
  public func destroyMeter(_ handler: any MeterHandler) { prometheus.destroyMeter(handler) }
  public func destroyTimer(_ handler: any TimerHandler) { prometheus.destroyTimer(handler) }
}
