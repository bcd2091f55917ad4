// SPDX-License-Identifier: AGPL-3.0-or-later

import Agent
import ArgumentParser

/// The `chalkline` command: the agent daemon and the technician's tools.
@main
struct Chalkline: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chalkline",
    abstract: "Digital chalking for a parking-enforcement vehicle: reads plates, keeps violation candidates.",
    version: ChalklineVersion.current,
    subcommands: [
      RunCommand.self,
      StatusCommand.self,
      ReplayCommand.self,
      CheckProfileCommand.self,
      CheckZonesCommand.self,
      RecordCommand.self,
      DevicesCommand.self,
      GPSCommand.self,
      ReadPlatesCommand.self,
      KeysCommand.self,
      AuditCommand.self,
      BenchCommand.self,
    ]
  )
}
