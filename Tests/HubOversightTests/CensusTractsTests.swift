// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import HubDevTools
import HubOversight
import Testing

struct CensusTractsTests {
  let tracts = try! CensusTracts(geoJSON: SyntheticTracts.geoJSON)

  struct Case: Sendable, CustomStringConvertible {
    var description: String
    var latitude: Double
    var longitude: Double
    var geoid: String?
  }

  @Test(arguments: [
    Case(description: "north-west tract", latitude: 37.350, longitude: -121.905, geoid: "06085500100"),
    Case(description: "centre tract, outside its hole", latitude: 37.335, longitude: -121.894, geoid: "06085500500"),
    Case(description: "in the centre tract's hole", latitude: 37.335, longitude: -121.887, geoid: nil),
    Case(description: "south-east tract, main part", latitude: 37.320, longitude: -121.870, geoid: "06085500900"),
    Case(description: "south-east tract, detached part", latitude: 37.333, longitude: -121.858, geoid: "06085500900"),
    Case(description: "between the parts", latitude: 37.333, longitude: -121.863, geoid: nil),
    Case(description: "north of everything", latitude: 37.400, longitude: -121.890, geoid: nil),
    Case(description: "west of everything", latitude: 37.330, longitude: -121.950, geoid: nil),
  ])
  func pointInPolygon(_ c: Case) {
    #expect(tracts.tract(containing: GeoPoint(latitude: c.latitude, longitude: c.longitude))?.geoid == c.geoid)
  }

  @Test func readsTheFixture() {
    #expect(tracts.tracts.count == 9)
    #expect(tracts.tracts.allSatisfy { $0.geoid.hasPrefix("06085") && $0.geoid.count == 11 })
    #expect(tracts.tracts.first?.name == "Census Tract 5001")
    #expect(tracts.tracts.first { $0.geoid == "06085500900" }?.polygons.count == 2)
    #expect(tracts.tracts.first { $0.geoid == "06085500500" }?.polygons.first?.count == 2)
  }

  @Test func triangleWithConcaveNeighbour() throws {
    let json = """
      {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"GEOID20":"06085503300",
      "NAMELSAD20":"Census Tract 5033"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[2,1],[0,4],[0,0]]]}}]}
      """
    let tracts = try CensusTracts(geoJSON: Data(json.utf8))
    #expect(tracts.tract(containing: GeoPoint(latitude: 0.5, longitude: 2))?.geoid == "06085503300")
    #expect(tracts.tract(containing: GeoPoint(latitude: 3, longitude: 2)) == nil)  // in the notch
    #expect(tracts.tract(containing: GeoPoint(latitude: 3, longitude: 3.5))?.name == "Census Tract 5033")
  }

  @Test func refusesFeaturesThatAreNotTracts() {
    let json = """
      {"type":"FeatureCollection","features":[
      {"type":"Feature","properties":{"NAMELSAD":"no id"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}},
      {"type":"Feature","properties":{"GEOID":"06085500100"},"geometry":{"type":"Point","coordinates":[0,0]}}]}
      """
    #expect {
      try CensusTracts(geoJSON: Data(json.utf8))
    } throws: { error in
      let message = (error as? OversightError)?.message ?? ""
      return message.contains("features[0]") && message.contains("features[1]")
    }
  }
}
