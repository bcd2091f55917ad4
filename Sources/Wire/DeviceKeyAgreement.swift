// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation

/// The X25519 key pair of a device, derived from its Ed25519 signing key, so the hub can seal a
/// secret to a registered device without a second key to register (the birational map of
/// RFC 7748 section 4.1 from edwards25519 to curve25519, as libsodium's
/// `crypto_sign_ed25519_pk_to_curve25519` computes it).
///
/// The private half is the first 32 bytes of SHA-512 of the Ed25519 seed (the X25519 function
/// clamps them, as Ed25519 clamps its own scalar), so the device's one secret opens it.
public enum DeviceKeyAgreement {
  /// The device's X25519 private key, from its Ed25519 signing key.
  public static func privateKey(
    for signing: Curve25519.Signing.PrivateKey
  ) throws
    -> Curve25519.KeyAgreement.PrivateKey
  {
    let digest = SHA512.hash(data: signing.rawRepresentation)
    return try Curve25519.KeyAgreement.PrivateKey(rawRepresentation: Data(digest.prefix(32)))
  }

  /// The device's X25519 public key, from its raw Ed25519 public key: u = (1 + y) / (1 − y) mod p.
  public static func publicKey(forSigningKey raw: Data) throws -> Curve25519.KeyAgreement.PublicKey {
    guard raw.count == 32, (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil else {
      throw WireError(.local, "A device signing key must be a raw 32-byte Ed25519 public key.")
    }
    var bytes = [UInt8](raw)
    bytes[31] &= 0x7F  // the sign of x; u does not depend on it
    let y = FieldElement(littleEndian: bytes)
    let one = FieldElement.one
    let denominator = one - y
    guard !denominator.isZero else { throw WireError(.local, "The device signing key is the identity point.") }
    let u = (one + y) * denominator.inverse
    return try Curve25519.KeyAgreement.PublicKey(rawRepresentation: Data(u.littleEndianBytes))
  }
}

/// An element of GF(2^255 − 19), four 64-bit limbs, little endian, always fully reduced.
struct FieldElement: Equatable {
  var limbs: (UInt64, UInt64, UInt64, UInt64)

  static let p = FieldElement(raw: (0xFFFF_FFFF_FFFF_FFED, .max, .max, 0x7FFF_FFFF_FFFF_FFFF))
  static let one = FieldElement(raw: (1, 0, 0, 0))

  private init(raw: (UInt64, UInt64, UInt64, UInt64)) { limbs = raw }

  init(littleEndian bytes: [UInt8]) {
    var words = [UInt64](repeating: 0, count: 4)
    for (index, byte) in bytes.prefix(32).enumerated() { words[index / 8] |= UInt64(byte) << (UInt64(index % 8) * 8) }
    self = FieldElement.reduced([words[0], words[1], words[2], words[3]], carry: 0)
  }

  var array: [UInt64] { [limbs.0, limbs.1, limbs.2, limbs.3] }
  var isZero: Bool { array.allSatisfy { $0 == 0 } }

  var littleEndianBytes: [UInt8] {
    array.flatMap { word in (0..<8).map { UInt8(truncatingIfNeeded: word >> (UInt64($0) * 8)) } }
  }

  static func == (lhs: FieldElement, rhs: FieldElement) -> Bool { lhs.array == rhs.array }

  /// Adds two 4-limb numbers; returns the sum and the carry out.
  private static func add(_ a: [UInt64], _ b: [UInt64]) -> ([UInt64], UInt64) {
    var out = [UInt64](repeating: 0, count: 4)
    var carry: UInt64 = 0
    for i in 0..<4 {
      let (s1, o1) = a[i].addingReportingOverflow(b[i])
      let (s2, o2) = s1.addingReportingOverflow(carry)
      out[i] = s2
      carry = (o1 ? 1 : 0) + (o2 ? 1 : 0)
    }
    return (out, carry)
  }

  private static func subtract(_ a: [UInt64], _ b: [UInt64]) -> ([UInt64], Bool) {
    var out = [UInt64](repeating: 0, count: 4)
    var borrow: UInt64 = 0
    for i in 0..<4 {
      let (d1, o1) = a[i].subtractingReportingOverflow(b[i])
      let (d2, o2) = d1.subtractingReportingOverflow(borrow)
      out[i] = d2
      borrow = (o1 || o2) ? 1 : 0
    }
    return (out, borrow != 0)
  }

  /// Reduces `value + carry·2^256` below p (2^256 ≡ 38 mod p).
  private static func reduced(_ value: [UInt64], carry: UInt64) -> FieldElement {
    var words = value
    var high = carry
    while high != 0 {
      let (product, overflow) = high.multipliedReportingOverflow(by: 38)
      precondition(!overflow)
      (words, high) = add(words, [product, 0, 0, 0])
    }
    while true {
      let (difference, borrowed) = subtract(words, p.array)
      if borrowed { break }
      words = difference
    }
    return FieldElement(raw: (words[0], words[1], words[2], words[3]))
  }

  static func + (a: FieldElement, b: FieldElement) -> FieldElement {
    let (sum, carry) = add(a.array, b.array)
    return reduced(sum, carry: carry)
  }

  static func - (a: FieldElement, b: FieldElement) -> FieldElement {
    let (difference, borrowed) = subtract(a.array, b.array)
    guard borrowed else { return reduced(difference, carry: 0) }
    // a − b + p: the wrapped difference plus p, dropping the carry that undoes the borrow.
    return reduced(add(difference, p.array).0, carry: 0)
  }

  static func * (a: FieldElement, b: FieldElement) -> FieldElement {
    let x = a.array
    let y = b.array
    var wide = [UInt64](repeating: 0, count: 8)
    for i in 0..<4 {
      var carry: UInt64 = 0
      for j in 0..<4 {
        let (high, low) = x[i].multipliedFullWidth(by: y[j])
        let (s1, o1) = wide[i + j].addingReportingOverflow(low)
        let (s2, o2) = s1.addingReportingOverflow(carry)
        wide[i + j] = s2
        carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
      }
      wide[i + 4] = carry
    }
    // low + high·2^256 ≡ low + 38·high.
    var folded = Array(wide[0..<4])
    var top: UInt64 = 0
    var carry: UInt64 = 0
    for i in 0..<4 {
      let (high, low) = wide[i + 4].multipliedFullWidth(by: 38)
      let (s1, o1) = folded[i].addingReportingOverflow(low)
      let (s2, o2) = s1.addingReportingOverflow(carry)
      folded[i] = s2
      carry = high &+ (o1 ? 1 : 0) &+ (o2 ? 1 : 0)
    }
    top = carry
    return reduced(folded, carry: top)
  }

  /// a^(p−2): the inverse of a non-zero element (Fermat).
  var inverse: FieldElement {
    let exponent: [UInt64] = [0xFFFF_FFFF_FFFF_FFEB, .max, .max, 0x7FFF_FFFF_FFFF_FFFF]
    var result = FieldElement.one
    for bit in stride(from: 254, through: 0, by: -1) {
      result = result * result
      if exponent[bit / 64] >> UInt64(bit % 64) & 1 == 1 { result = result * self }
    }
    return result
  }
}
