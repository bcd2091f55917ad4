// SPDX-License-Identifier: AGPL-3.0-or-later
import ArgumentParser

await HubCommand.main()
