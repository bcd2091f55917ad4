// SPDX-License-Identifier: AGPL-3.0-or-later

/// The keys whose values differ between two device profiles, for the reload log: names only,
/// never values (a profile holds no plate, but a reload log need not repeat paths and addresses).
public enum ProfileChanges {
  /// Changed fields as dotted paths (`camera.fps`, `gps.port`), sorted.
  public static func between(_ old: DeviceProfile, _ new: DeviceProfile) -> [String] {
    var changed: [String] = []
    compare(old, new, path: "", into: &changed)
    return changed.sorted()
  }

  /// Sections (`camera`, `gps`, …) with a change.
  public static func sections(between old: DeviceProfile, _ new: DeviceProfile) -> Set<String> {
    Set(between(old, new).map { String($0.split(separator: ".").first ?? "") })
  }

  private static func compare(_ old: Any, _ new: Any, path: String, into changed: inout [String]) {
    let oldMirror = Mirror(reflecting: old)
    let newMirror = Mirror(reflecting: new)
    // A one-field wrapper (`DeviceID`) is a value, not a section.
    let isRecord = oldMirror.displayStyle == .struct && oldMirror.children.count > 1
    guard isRecord, newMirror.displayStyle == .struct else {
      if String(reflecting: old) != String(reflecting: new) { changed.append(path) }
      return
    }
    for (oldChild, newChild) in zip(oldMirror.children, newMirror.children) {
      let name = oldChild.label ?? "?"
      compare(oldChild.value, newChild.value, path: path.isEmpty ? name : "\(path).\(name)", into: &changed)
    }
  }
}
