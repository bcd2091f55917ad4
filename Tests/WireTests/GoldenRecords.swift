// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Testing
import Wire

/// Records made by the code before the wire types moved into `Wire` (#28, at 99fb4e3): the vault's
/// manifest encoder and signature, the uplink's `WireManifest`, and the vault's `EvidenceSealer`,
/// with fixed keys so that the tests can verify and open them. Evidence is in base64, as on the wire.
enum GoldenRecords {
  /// The device's Ed25519 seed: bytes 1…32.
  static let deviceKeySeed = Data((1...32).map { UInt8($0) })
  /// The hub's X25519 private key: bytes 33…64.
  static let hubHPKEKey = Data((33...64).map { UInt8($0) })
  /// A permit list's key: bytes 65…96.
  static let permitKey = Data((65...96).map { UInt8($0) })
  static let candidate = UUID(uuidString: "6F2C1D3E-8A4B-4C5D-9E6F-0A1B2C3D4E5F")!
  static let otherCandidate = UUID(uuidString: "11111111-2222-4333-8444-555555555555")!
  static let firstSighting = Date(millisecondsSince1970: 1_772_442_000_123)
  static let secondSighting = Date(millisecondsSince1970: 1_772_449_260_456)

  /// Sealed evidence as the vault held it (format v3: bindings; before v3: one sealing).
  struct Sealed {
    var id: UUID
    var capturedAt: Date
    var plate: String
    var vehicle: String
    var encapsulatedKey: String
    var ciphertext: String
    var bindings: [(UUID, String, String)]
  }

  /// Base64 text of a record.
  static func data(_ base64: String) throws -> Data {
    try #require(Data(base64Encoded: base64), "not base64: \(base64.prefix(20))…")
  }

  /// The sealed evidence of a record.
  static func sealed(_ record: Sealed) throws -> SealedEvidence {
    SealedEvidence(
      id: record.id, capturedAt: record.capturedAt, plateSHA256: try data(record.plate),
      vehicleSHA256: try data(record.vehicle), encapsulatedKey: try data(record.encapsulatedKey),
      ciphertext: try data(record.ciphertext),
      bindings: try record.bindings.map {
        EvidenceBinding(candidate: $0.0, encapsulatedKey: try data($0.1), wrappedKey: try data($0.2))
      })
  }

  // The records, printed by a generator run against 99fb4e3.
  static let deviceFingerprint = "65b6:0673:d6ed:884b:f01c:2c22:2d82:ada0"
  static let manifestJSON = """
    eyJkZWNpZGVkX2F0IjoiMjAyNi0wMy0wMlQxMTowMTowMC40NTZaIiwiZGV2aWNlIjoiNjViNjowNjczOmQ2ZWQ6OD\
    g0YjpmMDFjOjJjMjI6MmQ4MjphZGEwIiwiaWQiOiI2RjJDMUQzRS04QTRCLTRDNUQtOUU2Ri0wQTFCMkMzRDRFNUYi\
    LCJyZWFkX2NvbmZpZGVuY2UiOjAuOTM3LCJydWxlIjoibWF4X3N0YXkiLCJzaWdodGluZ3MiOlt7ImV2aWRlbmNlX2\
    lkIjoiQTAwMDAwMDAtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIiwibGF0aXR1ZGUiOjM3LjMzNTQ4MSwibG9u\
    Z2l0dWRlIjotMTIxLjg5MzAyOCwicGxhdGVfc2hhMjU2IjoiNGVjMmJjMWY2NzJkOTc2ZGFkOWU3Mjk3OTQzYTcwYm\
    RkZTg1ZTY0MDc2NmQzNTM5NWEzYmRlOTQwNmI1YjhjZCIsInNlYWxlZF9zaGEyNTYiOiJhOTYxNDMwNWY0YWY0ZjFh\
    NTJiMjAxY2QwMGZhYWFhMzA5NzkxNjI1ZTliNGFjM2RlNWM5MWRjMGZjYjYxN2UwIiwidGltZSI6IjIwMjYtMDMtMD\
    JUMDk6MDA6MDAuMTIzWiIsInVuY2VydGFpbnR5X20iOjQuNSwidmVoaWNsZV9zaGEyNTYiOiI3OGNjOWI3ZWYzMmQw\
    ZDdlYjNmZjM4NWNlMGYwZmRkMDE1MDdiNWRlZTI0YjRjMjM4YmE4ZWMyOGE4NWQ3YTI1In0seyJldmlkZW5jZV9pZC\
    I6IkEwMDAwMDAwLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwMDAwMiIsImxhdGl0dWRlIjozNy4zMzU0ODEsImxvbmdp\
    dHVkZSI6LTEyMS44OTMwMjgsInBsYXRlX3NoYTI1NiI6ImIzNTg5MjJkZGFlNDRmZTYxODdkNzgwZWI1NDA4YzU1MD\
    NkNmU0NzkwZTdjNmRkMDQ0MDQwMjE1ZDkyMGUyZTQiLCJzZWFsZWRfc2hhMjU2IjoiNTc0MjE2NzE0YWViYTVmZTUx\
    NzlkN2VlMzQ0YjRiZjAyNmJhYjM5YmM0NmYyYTI2YWUyMDA0ODYxYmFkZmRlYiIsInRpbWUiOiIyMDI2LTAzLTAyVD\
    ExOjAxOjAwLjQ1NloiLCJ1bmNlcnRhaW50eV9tIjo0LjUsInZlaGljbGVfc2hhMjU2IjoiODU1NTAxNTFiMjNiMzM5\
    MjMzMTc5MmNjZDViZTQ2YmRkMmM1Mjg4YzY4OTdjMzJmMWUyMzA0NzQ0NDIyOTAzYSJ9XSwidmVyc2lvbiI6MSwiem\
    9uZSI6InpvbmUtNy9ub3J0aCJ9
    """
  static let manifestText = #"""
    {"decided_at":"2026-03-02T11:01:00.456Z","device":"65b6:0673:d6ed:884b:f01c:2c22:2d82:ada0","id"\#
    :"6F2C1D3E-8A4B-4C5D-9E6F-0A1B2C3D4E5F","read_confidence":0.937,"rule":"max_stay","sightings":[{\#
    "evidence_id":"A0000000-0000-4000-8000-000000000001","latitude":37.335481,"longitude":-121.89302\#
    8,"plate_sha256":"4ec2bc1f672d976dad9e7297943a70bdde85e640766d35395a3bde9406b5b8cd","sealed_sha2\#
    56":"a9614305f4af4f1a52b201cd00faaaa309791625e9b4ac3de5c91dc0fcb617e0","time":"2026-03-02T09:00:\#
    00.123Z","uncertainty_m":4.5,"vehicle_sha256":"78cc9b7ef32d0d7eb3ff385ce0f0fdd01507b5dee24b4c238\#
    ba8ec28a85d7a25"},{"evidence_id":"A0000000-0000-4000-8000-000000000002","latitude":37.335481,"lo\#
    ngitude":-121.893028,"plate_sha256":"b358922ddae44fe6187d780eb5408c5503d6e4790e7c6dd044040215d92\#
    0e2e4","sealed_sha256":"574216714aeba5fe5179d7ee344b4bf026bab39bc46f2a26ae2004861badfdeb","time"\#
    :"2026-03-02T11:01:00.456Z","uncertainty_m":4.5,"vehicle_sha256":"85550151b23b3392331792ccd5be46\#
    bdd2c5288c6897c32f1e2304744422903a"}],"version":1,"zone":"zone-7/north"}
    """#
  static let signature = "Z4PT0Ldxkmjwyep/SF871bbHyZldNhpOyJvy4pLDdHjN+1LW7EdSPNujAUX+Lyo7GEry9/Pkn3Y0Xr1dxEhYBA=="
  static let fullManifestJSON = """
    eyJkZWNpZGVkX2F0IjoiMjAyNi0wMy0wMlQxMTowMTowMC40NTZaIiwiZGV2aWNlIjoiNjViNjowNjczOmQ2ZWQ6OD\
    g0YjpmMDFjOjJjMjI6MmQ4MjphZGEwIiwiZGlzdGFuY2VfbSI6MS4yNSwiZW5mb3JjZWRfZWxhcHNlZF9zIjo3MjYw\
    LjMzMywiaWQiOiI2RjJDMUQzRS04QTRCLTRDNUQtOUU2Ri0wQTFCMkMzRDRFNUYiLCJyZWFkX2NvbmZpZGVuY2UiOj\
    AuOTM3LCJydWxlIjoibWF4X3N0YXkiLCJzaWdodGluZ3MiOlt7ImV2aWRlbmNlX2lkIjoiQTAwMDAwMDAtMDAwMC00\
    MDAwLTgwMDAtMDAwMDAwMDAwMDAxIiwibGF0aXR1ZGUiOjM3LjMzNTQ4MSwibG9uZ2l0dWRlIjotMTIxLjg5MzAyOC\
    wicGxhdGVfc2hhMjU2IjoiNGVjMmJjMWY2NzJkOTc2ZGFkOWU3Mjk3OTQzYTcwYmRkZTg1ZTY0MDc2NmQzNTM5NWEz\
    YmRlOTQwNmI1YjhjZCIsInNlYWxlZF9zaGEyNTYiOiJhOTYxNDMwNWY0YWY0ZjFhNTJiMjAxY2QwMGZhYWFhMzA5Nz\
    kxNjI1ZTliNGFjM2RlNWM5MWRjMGZjYjYxN2UwIiwidGltZSI6IjIwMjYtMDMtMDJUMDk6MDA6MDAuMTIzWiIsInVu\
    Y2VydGFpbnR5X20iOjQuNSwidmVoaWNsZV9zaGEyNTYiOiI3OGNjOWI3ZWYzMmQwZDdlYjNmZjM4NWNlMGYwZmRkMD\
    E1MDdiNWRlZTI0YjRjMjM4YmE4ZWMyOGE4NWQ3YTI1In0seyJldmlkZW5jZV9pZCI6IkEwMDAwMDAwLTAwMDAtNDAw\
    MC04MDAwLTAwMDAwMDAwMDAwMiIsImxhdGl0dWRlIjozNy4zMzU0ODEsImxvbmdpdHVkZSI6LTEyMS44OTMwMjgsIn\
    BsYXRlX3NoYTI1NiI6ImIzNTg5MjJkZGFlNDRmZTYxODdkNzgwZWI1NDA4YzU1MDNkNmU0NzkwZTdjNmRkMDQ0MDQw\
    MjE1ZDkyMGUyZTQiLCJzZWFsZWRfc2hhMjU2IjoiNTc0MjE2NzE0YWViYTVmZTUxNzlkN2VlMzQ0YjRiZjAyNmJhYj\
    M5YmM0NmYyYTI2YWUyMDA0ODYxYmFkZmRlYiIsInRpbWUiOiIyMDI2LTAzLTAyVDExOjAxOjAwLjQ1NloiLCJ1bmNl\
    cnRhaW50eV9tIjo0LjUsInZlaGljbGVfc2hhMjU2IjoiODU1NTAxNTFiMjNiMzM5MjMzMTc5MmNjZDViZTQ2YmRkMm\
    M1Mjg4YzY4OTdjMzJmMWUyMzA0NzQ0NDIyOTAzYSJ9XSwidmVyc2lvbiI6MSwiem9uZSI6InpvbmUtNy9ub3J0aCJ9
    """
  static let fullSignature = "FKuBubWpQAGLh1rw5iwcZ6IERJ1Agax/3l78elmX6lEye4D9p2/yKEX85yKs4XoYqcoB3Oyr1SO+6uoM1dTBDg=="
  static let evidence1 = Sealed(
    id: UUID(uuidString: "A0000000-0000-4000-8000-000000000001")!,
    capturedAt: Date(millisecondsSince1970: 1772442000123),
    plate: "TsK8H2ctl22tnnKXlDpwvd6F5kB2bTU5WjvelAa1uM0=", vehicle: "eMybfvMtDX6z/zhc4PD90BUHtd7iS0wji6jsKKhdeiU=",
    encapsulatedKey: "",
    ciphertext: """
      +sSPPf2+LKNoCm72L2JrOtQfl18bZI4WaFWh4u6LSIvjKrqBn9ObW6cLp6AmZs1lX7gKPu8BM5Na4CX8/Wg+Hh+0n6\
      F2L1BeAuG95c/+wWDltKa1I3qjDwAXuBRQFSwG3iSUsHffKceZ7n9Q+WXM0Kf77MBd2U7FTL4HpVVeRWI=
      """,
    bindings: [
      (
        UUID(uuidString: "6F2C1D3E-8A4B-4C5D-9E6F-0A1B2C3D4E5F")!, "vvY8rQA9wcK1mb3wtV4bJZNflrXWVdlRBn5gNUlq/z8=",
        "e3eCpp7l3G2YwO+9g85Rwl9QszqmT4BkyBEPy9OCSujlGw8FP+z49aq3eGZqlgQ5"
      ),
      (
        UUID(uuidString: "11111111-2222-4333-8444-555555555555")!, "WFv0AAyf0mPA1XBpx1oaAosXlqNw175TLGzKU7auGEU=",
        "NGD9l+aY7l7ZUPh6wkN6kjxvcJ9Jc6Us3Mluc1OqK154X2TpMSHmaaUt6gzOcP7v"
      ),
    ])
  static let evidence2 = Sealed(
    id: UUID(uuidString: "A0000000-0000-4000-8000-000000000002")!,
    capturedAt: Date(millisecondsSince1970: 1772449260456),
    plate: "s1iSLdrkT+YYfXgOtUCMVQPW5HkOfG3QRAQCFdkg4uQ=", vehicle: "hVUBUbI7M5IzF5LM1b5GvdLFKIxol8MvHiMEdEQikDo=",
    encapsulatedKey: "",
    ciphertext: """
      +VP+AzESGfrYSHlu7EWffaAeHI//E3grA9NljxhW+oNJOTO1zGhJ3iaFA2qp6ErGcKNl4DG/ZhMlky4F4/Wc9cWaEj\
      JgjWytNMeJNIll3LtihM0N6KaDljdyMcNu6TfubTWy7Frpgqc0zQRebbbKpXZLETWlwfqlJF0zYv7LBtc=
      """,
    bindings: [
      (
        UUID(uuidString: "6F2C1D3E-8A4B-4C5D-9E6F-0A1B2C3D4E5F")!, "fgJpCoFLRWkQKEbKaRdrfW1gDybV1XRGmXy77h5cCAU=",
        "XK2RzmdZys7C8rhtJL3TtK4CT7yueFOI3nc/8GrlhnGvPWGceJhX5rYCeDOK7HRV"
      )
    ])
  static let evidence3 = Sealed(
    id: UUID(uuidString: "A0000000-0000-4000-8000-000000000003")!,
    capturedAt: Date(millisecondsSince1970: 1772442000123),
    plate: "L6ehkgg6Gt7YVPoxm6aGtCpJKFl71fyYwm63U2ILtUk=", vehicle: "PCCcc/1n+hPm8syu8X31qYWu3qRD57hTB+9iHX9r4ys=",
    encapsulatedKey: "+hu0ezN7+f1SzClS9jYMu4hVOlgE2J4kR3rE4nYH8TA=",
    ciphertext: """
      o2sIY2kVyVSPg/ez07OV5C7mb9PimjScW5czzvD7GsvU3254y+g6O4V6kTyM/MnHVdcVx3F3jJmE+yHGLWwf8UrdGc\
      DTjUiOojOC0GpdWPdxwXC/4SkL5oMQ/6l6H97ddIMD7K1cUu3P4kiRMjOW0hFviV8=
      """,
    bindings: [])
  static let evidence4 = Sealed(
    id: UUID(uuidString: "A0000000-0000-4000-8000-000000000004")!,
    capturedAt: Date(millisecondsSince1970: 1772442000123),
    plate: "5hEnPqd4k65ny5Hr8ntXDcKLAcD25mmUEP7eepqF/Ww=", vehicle: "2DzDomRYJy+Ydz8U5QRYk5bpv2wcnuQmHohJN5NI1cA=",
    encapsulatedKey: "zcZeOEZLsjEx80TrnqgKCofBOSCqr6DxiLkqPoNV5UI=",
    ciphertext: """
      E63tfONgBl11BQ9i2IBZk0SCM9E0OdhB6H+k6Ch/9mbHHSMPTfd3pEdPTgDERRyDqZR5dz0nC5/Y+D4GyPM6oKk1ip\
      UCq2zAng==
      """,
    bindings: [])
  static let wire1EncapsulatedKey = "vvY8rQA9wcK1mb3wtV4bJZNflrXWVdlRBn5gNUlq/z8="
  static let wire1Ciphertext = """
    e3eCpp7l3G2YwO+9g85Rwl9QszqmT4BkyBEPy9OCSujlGw8FP+z49aq3eGZqlgQ5+sSPPf2+LKNoCm72L2JrOtQfl1\
    8bZI4WaFWh4u6LSIvjKrqBn9ObW6cLp6AmZs1lX7gKPu8BM5Na4CX8/Wg+Hh+0n6F2L1BeAuG95c/+wWDltKa1I3qj\
    DwAXuBRQFSwG3iSUsHffKceZ7n9Q+WXM0Kf77MBd2U7FTL4HpVVeRWI=
    """
  static let wire2EncapsulatedKey = "fgJpCoFLRWkQKEbKaRdrfW1gDybV1XRGmXy77h5cCAU="
  static let wire2Ciphertext = """
    XK2RzmdZys7C8rhtJL3TtK4CT7yueFOI3nc/8GrlhnGvPWGceJhX5rYCeDOK7HRV+VP+AzESGfrYSHlu7EWffaAeHI\
    //E3grA9NljxhW+oNJOTO1zGhJ3iaFA2qp6ErGcKNl4DG/ZhMlky4F4/Wc9cWaEjJgjWytNMeJNIll3LtihM0N6KaD\
    ljdyMcNu6TfubTWy7Frpgqc0zQRebbbKpXZLETWlwfqlJF0zYv7LBtc=
    """
  static let permitHash = "siBdIXXPJImD/QH7i++OTg=="
  static let plateHash = "bzqZBKX8xJ5C1EWa19qZ33PTT4M3KOHF6K9tC/p08qE="
}
