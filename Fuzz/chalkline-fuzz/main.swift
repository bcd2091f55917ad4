// SPDX-License-Identifier: AGPL-3.0-or-later

// `chalkline-fuzz TARGET [libFuzzer options] [CORPUS…]`: runs one fuzz target under libFuzzer.
// Built only by `make fuzz` (see Package.swift); the targets are ChalklineFuzz's.

import CLibFuzzer
import ChalklineFuzz
import Foundation

/// The target chosen on the command line, read by the driver's callback.
enum Chosen {
  nonisolated(unsafe) static var target: FuzzTarget = .frame
}

// libFuzzer's fork mode starts workers with the options only, so the target also travels in the
// environment, which the workers inherit.
var arguments = CommandLine.arguments
if arguments.count >= 2, FuzzTarget(rawValue: arguments[1]) != nil {
  setenv("CHALKLINE_FUZZ_TARGET", arguments.remove(at: 1), 1)
}
guard let name = ProcessInfo.processInfo.environment["CHALKLINE_FUZZ_TARGET"], let target = FuzzTarget(rawValue: name)
else {
  let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: " ")
  FileHandle.standardError.write(
    Data("usage: chalkline-fuzz TARGET [libFuzzer options] [CORPUS...]\ntargets: \(names)\n".utf8))
  exit(2)
}
Chosen.target = target
atexit { FuzzTarget.removeScratchDirectory() }
var argc = Int32(arguments.count)
var cStrings: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
let status = cStrings.withUnsafeMutableBufferPointer { buffer -> Int32 in
  var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
  return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    let input = size == 0 ? Data() : Data(bytes: data!, count: size)
    Chosen.target.run(input)
    return 0
  }
}
exit(status)
