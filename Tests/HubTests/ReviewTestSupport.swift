// SPDX-License-Identifier: AGPL-3.0-or-later
import AsyncHTTPClient
import ChalklineModel
import Crypto
import Foundation
import Hub
import HubDevTools
import NIOCore
import NIOHTTP1
import Wire

#if canImport(Glibc)
  import Glibc
#endif

/// A hub with reviewers, a registered device, a zones document naming the candidates' street,
/// and `plates.count` candidates whose evidence holds real JPEGs, ingested over mutual TLS.
struct ReviewFixture {
  static let password = "correct horse"
  let hub: LoopbackHub
  let ids: [UUID]
  let plates: [String]

  /// Makes the hub in `directory`; candidates are ingested once the hub serves (`ingest`).
  static func create(
    in directory: URL, plates: [String]
  ) async throws -> (ReviewFixture, [WireCandidate], DevelopmentPKI.Identity) {
    let hub = try LoopbackHub.create(in: directory, reviewers: ["officer1": password, "officer2": password])
    try Data(zonesDocument.utf8).write(
      to: URL(fileURLWithPath: hub.configuration.distributionDirectory + "/zones.json"))
    let deviceKey = Curve25519.Signing.PrivateKey()
    let device = try await hub.addDevice(name: "truck-9", deviceKey: deviceKey.publicKey, logger: testLogger)
    var synthetic = SyntheticCandidates(deviceKey: deviceKey, hubKey: hub.keys.hpke.publicKey)
    synthetic.pictures = (try jpeg(width: 240, height: 80, seed: 1), try jpeg(width: 480, height: 320, seed: 2))
    let candidates = try plates.enumerated().map { try synthetic.make(plate: $0.element, index: $0.offset) }
    return (ReviewFixture(hub: hub, ids: candidates.map(\.id), plates: plates), candidates, device)
  }

  /// Every byte of the database files as upper-case text (to look for plate text in clear).
  func databaseText() -> String {
    ["", "-wal", "-shm"].compactMap { FileManager.default.contents(atPath: hub.configuration.database + $0) }
      .map { String(decoding: $0, as: UTF8.self).uppercased() }.joined()
  }

  /// A CDS document naming zones 0 and 1 (SyntheticCandidates' first two zones); zone 0 has its
  /// curb polygon around the synthetic sightings.
  static let zonesDocument = """
    {"version": "1.0", "time_zone": "America/Los_Angeles", "data": {
      "curb_zones": [
        {"curb_zone_id": "zone-0", "name": "E Santa Clara St, 0 block north", "street_name": "E Santa Clara St",
         "cross_street_start_name": "N 1st St", "cross_street_end_name": "N 2nd St", "curb_policy_ids": ["two-hours"],
         "geometry": {"type": "Polygon", "coordinates": [[[-121.88825, 37.33485], [-121.88795, 37.33485],
           [-121.88795, 37.33498], [-121.88825, 37.33498], [-121.88825, 37.33485]]]}},
        {"curb_zone_id": "zone-1", "name": "N 1st St, 0 block east", "curb_policy_ids": ["two-hours"],
         "geometry": {"type": "Polygon", "coordinates": [[[-121.88835, 37.33500], [-121.88830, 37.33500],
           [-121.88830, 37.33560], [-121.88835, 37.33560], [-121.88835, 37.33500]]]}}],
      "curb_policies": [
        {"curb_policy_id": "two-hours", "priority": 1,
         "rules": [{"activity": "parking", "max_stay": 120, "max_stay_unit": "minute"}],
         "time_spans": [{"days_of_week": ["mon", "tue", "wed", "thu", "fri"], "time_of_day_start": "08:00",
                         "time_of_day_end": "18:00"}]}]}}
    """

  /// A real baseline JPEG (through cjpeg) of a striped test pattern.
  static func jpeg(width: Int, height: Int, seed: Int) throws -> Data {
    var ppm = Data("P6\n\(width) \(height)\n255\n".utf8)
    for y in 0..<height {
      for x in 0..<width {
        let stripe = ((x / 12 + y / 20 + seed) % 3 == 0)
        ppm.append(contentsOf: stripe ? [30, 30, 40] : [UInt8(200 + seed * 20), 220, UInt8(x * 255 / width)])
      }
    }
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("pattern-\(UUID().uuidString).ppm")
    try ppm.write(to: input)
    defer { try? FileManager.default.removeItem(at: input) }
    let jpeg = input.deletingPathExtension().appendingPathExtension("jpg")
    defer { try? FileManager.default.removeItem(at: jpeg) }
    let (status, _) = try run("/usr/bin/cjpeg", ["-quality", "85", "-outfile", jpeg.path, input.path])
    guard status == 0, let output = FileManager.default.contents(atPath: jpeg.path), output.count > 100 else {
      throw HubError(.tool, "cjpeg failed (libjpeg-turbo-progs).")
    }
    return output
  }
}

/// A free TCP port on 127.0.0.1 (bound and released; the caller binds it again at once).
func freePort() throws -> Int {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  guard fd >= 0 else { throw HubError(.tool, "socket() failed") }
  defer { close(fd) }
  var address = sockaddr_in()
  address.sin_family = sa_family_t(AF_INET)
  address.sin_addr.s_addr = inet_addr("127.0.0.1")
  address.sin_port = 0
  var length = socklen_t(MemoryLayout<sockaddr_in>.size)
  let bound = withUnsafeMutablePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0
    }
  }
  guard bound else { throw HubError(.tool, "bind() to a free port failed") }
  return Int(UInt16(bigEndian: address.sin_port))
}

/// A W3C WebDriver session on a chromedriver, spoken as plain JSON over HTTP.
struct WebDriver: Sendable {
  let client: HTTPClient
  let base: String
  let session: String

  /// Starts chromedriver on a free port, opens a headless Chromium session, runs `body`, and
  /// ends session and driver on every path.
  static func with<T: Sendable>(_ body: (WebDriver) async throws -> T) async throws -> T {
    let port = try freePort()
    let driver = Process()
    driver.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
    driver.arguments = ["--port=\(port)"]
    driver.standardOutput = FileHandle.nullDevice
    driver.standardError = FileHandle.nullDevice
    try driver.run()
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
    let base = "http://127.0.0.1:\(port)"
    do {
      let result = try await Self.session(client, base, body)
      try await client.shutdown()
      await stop(driver)
      return result
    } catch {
      try? await client.shutdown()
      await stop(driver)
      throw error
    }
  }

  /// Ends chromedriver: SIGTERM, then SIGKILL if it has not exited within 5 s.
  static func stop(_ driver: Process) async {
    driver.terminate()
    for _ in 0..<50 where driver.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
    if driver.isRunning { kill(driver.processIdentifier, SIGKILL) }
  }

  static func session<T: Sendable>(
    _ client: HTTPClient, _ base: String, _ body: (WebDriver) async throws -> T
  ) async throws -> T {
    // chromedriver takes a moment to listen.
    let deadline = ContinuousClock.now + .seconds(30)
    while true {
      if let status = try? await call(client, .GET, base + "/status", nil),
        (status["value"] as? [String: Any])?["ready"] as? Bool == true
      {
        break
      }
      guard ContinuousClock.now < deadline else { throw HubError(.tool, "chromedriver did not become ready in 30 s") }
      try await Task.sleep(for: .milliseconds(200))
    }
    let capabilities: [String: Any] = [
      "capabilities": [
        "alwaysMatch": [
          "browserName": "chrome", "acceptInsecureCerts": true,
          "goog:chromeOptions": [
            "binary": "/usr/bin/chromium",
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1500"],
          ],
        ]
      ]
    ]
    let created = try await call(client, .POST, base + "/session", capabilities)
    guard let value = created["value"] as? [String: Any], let id = value["sessionId"] as? String else {
      throw HubError(.tool, "chromedriver opened no session: \(created)")
    }
    let webDriver = WebDriver(client: client, base: base + "/session/" + id, session: id)
    do {
      let result = try await body(webDriver)
      _ = try? await call(client, .DELETE, webDriver.base, nil)
      return result
    } catch {
      _ = try? await call(client, .DELETE, webDriver.base, nil)
      throw error
    }
  }

  static func call(
    _ client: HTTPClient, _ method: HTTPMethod, _ url: String, _ body: [String: Any]?
  ) async throws
    -> [String: Any]
  {
    var request = HTTPClientRequest(url: url)
    request.method = method
    if let body {
      request.headers.add(name: "Content-Type", value: "application/json")
      request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
    }
    let response = try await client.execute(request, timeout: .seconds(60))
    let bytes = try await response.body.collect(upTo: 32 << 20)
    let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] ?? [:]
    if response.status.code >= 400 { throw HubError(.tool, "WebDriver \(method) \(url): \(object)") }
    return object
  }

  func call(_ method: HTTPMethod, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
    try await Self.call(client, method, base + path, body)["value"]
  }

  func open(_ url: String) async throws { _ = try await call(.POST, "/url", ["url": url]) }

  func currentURL() async throws -> String { try await call(.GET, "/url") as? String ?? "" }

  /// The page's URL once it ends with `suffix` (a click's navigation done), or the URL at the deadline.
  func currentURL(endingWith suffix: String, within seconds: Double = 30) async throws -> String {
    let deadline = ContinuousClock.now + .seconds(seconds)
    var url = try await currentURL()
    while !url.hasSuffix(suffix), ContinuousClock.now < deadline {
      try await Task.sleep(for: .milliseconds(100))
      url = try await currentURL()
    }
    return url
  }

  func element(_ css: String) async throws -> String {
    let value = try await call(.POST, "/element", ["using": "css selector", "value": css]) as? [String: Any]
    guard let id = value?.values.first as? String else { throw HubError(.tool, "no element \(css)") }
    return id
  }

  func click(_ css: String) async throws { _ = try await call(.POST, "/element/\(try await element(css))/click", [:]) }

  func type(_ css: String, _ text: String) async throws {
    _ = try await call(.POST, "/element/\(try await element(css))/value", ["text": text])
  }

  func script(_ source: String) async throws -> Any? {
    try await call(.POST, "/execute/sync", ["script": source, "args": [Any]()])
  }

  /// The text of element `id` once the page that a click or a submit loads shows `expected`, or
  /// whatever it shows at the deadline. A click returns before the form's POST is answered: reading
  /// at once reads the old page, and opening another page at once aborts the POST.
  func text(ofElement id: String, becoming expected: String, within seconds: Double = 30) async throws -> String? {
    let deadline = ContinuousClock.now + .seconds(seconds)
    var seen: String?
    repeat {
      seen = try await script("return document.getElementById('\(id)')?.textContent ?? null") as? String
      if seen == expected { return seen }
      try await Task.sleep(for: .milliseconds(100))
    } while ContinuousClock.now < deadline
    return seen
  }

  func screenshot() async throws -> Data {
    guard let base64 = try await call(.GET, "/screenshot") as? String, let png = Data(base64Encoded: base64) else {
      throw HubError(.tool, "the screenshot was not base64 PNG")
    }
    return png
  }
}
