// SPDX-License-Identifier: AGPL-3.0-or-later

import Capture
import ChalklineModel

#if canImport(Glibc)
  import Glibc
#endif

/// Prints one result line for the host test: `CHALKLINE-RESULT name key=value …`.
func result(_ name: String, _ fields: KeyValuePairs<String, Any>) {
  let text = fields.map { "\($0.key)=\(String(describing: $0.value).replacingSpaces)" }.joined(separator: " ")
  print("CHALKLINE-RESULT \(name) \(text)")
  fflush(nil)
}

/// Prints a human-readable note (ignored by the host test).
func note(_ text: String) {
  for line in text.split(separator: "\n", omittingEmptySubsequences: false) { print("# \(line)") }
  fflush(nil)
}

extension String {
  fileprivate var replacingSpaces: String { String(map { $0 == " " ? "_" : $0 }) }
}

/// Runs a command (busybox's modprobe) and waits for it; returns its exit status.
func runCommand(_ arguments: [String]) -> Int32 {
  var pid: pid_t = 0
  var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
  defer { for p in argv { free(p) } }
  let status = posix_spawnp(&pid, arguments[0], nil, nil, &argv, environ)
  guard status == 0 else { return -1 }
  var exit: Int32 = 0
  SystemCall.retryingInterrupts { waitpid(pid, &exit, 0) }
  return (exit >> 8) & 0xFF
}

/// Sets a control, found by name, on a node through a descriptor of its own that is closed
/// again at once (vivid reconnects only when every descriptor is closed).
func setControl(_ path: String, named name: String, to value: Int32) -> Bool {
  guard let device = try? V4L2Device.open(path) else { return false }
  defer { device.close() }
  guard let control = try? device.control(named: name) else {
    note("control \(name) not found on \(path)")
    return false
  }
  do {
    try device.setControl(id: control.id, value: value)
    return true
  } catch {
    note("setting \(name) on \(path) failed: \(error)")
    return false
  }
}

/// Seconds between two clock instants.
func seconds(_ duration: Duration) -> Double {
  Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Rounds for printing.
func rounded(_ value: Double, _ places: Int = 2) -> Double {
  let scale = pow(10.0, Double(places))
  return (value * scale).rounded() / scale
}
