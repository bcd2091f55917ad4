// SPDX-License-Identifier: AGPL-3.0-or-later

// chalkline-v4l2-probe: runs Chalkline's capture code against vivid inside the test VM and
// prints results between marker lines on the serial console (tools/vm/init.sh starts it).
// Usage: chalkline-v4l2-probe [--modprobe "modprobe vivid …"]

import Capture
import Logging

#if canImport(Glibc)
  import Glibc
#endif

LoggingSystem.bootstrap { label in
  var handler = StreamLogHandler.standardOutput(label: label)
  handler.logLevel = .notice
  return handler
}
let logger = Logger(label: "chalkline.probe")

var modprobe: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
  if argument == "--modprobe", let command = arguments.popFirst() {
    modprobe = command.split(separator: " ").map(String.init)
  }
}

print("==== CHALKLINE-PROBE-BEGIN ====")
let started = ContinuousClock.now
let probe = Probe(logger: logger, modprobe: modprobe)
await probe.runAll()
result("probe", ["seconds": rounded(seconds(ContinuousClock.now - started))])
print("==== CHALKLINE-PROBE-END ====")
