// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import Testing

@testable import Wire

@Suite("Permits document")
struct PermitsDocumentTests {
  @Test(arguments: 0..<20)
  func theDerivedPublicKeyMatchesTheDerivedPrivateKey(_ round: Int) throws {
    let signing = Curve25519.Signing.PrivateKey()
    let derived = try DeviceKeyAgreement.publicKey(forSigningKey: signing.publicKey.rawRepresentation)
    #expect(derived.rawRepresentation == (try DeviceKeyAgreement.privateKey(for: signing)).publicKey.rawRepresentation)
  }

  @Test func aSealedKeyOpensForItsDeviceOnly() throws {
    let device = Curve25519.Signing.PrivateKey()
    let other = Curve25519.Signing.PrivateKey()
    let (key, id) = PermitsDocument.newKey()
    let sealed = try PermitsDocument.seal(
      key, keyWindow: id, device: "dev-1", signingKey: device.publicKey.rawRepresentation)
    let document = PermitsDocument(keyWindow: id, listTag: "l", classes: ["permit R"], sealedKeys: [sealed], groups: [])
    let opened = try document.openKey(device: "dev-1", signing: device)
    #expect(opened == key)
    #expect(throws: WireError.self) { try document.openKey(device: "dev-1", signing: other) }
    #expect(throws: WireError.self) { try document.openKey(device: "dev-2", signing: device) }
    let body = try UplinkAPI.encoder().encode(document)
    #expect(try UplinkAPI.decoder().decode(PermitsDocument.self, from: body) == document)
  }
}
