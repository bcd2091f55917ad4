// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The embedded default profile of `chalkline replay` and `chalkline bench`:
/// `device-profiles/replay-default.yaml` and the zones, policies and holidays it names, compiled
/// into the binary so a replay runs from any folder (`ReplayDefaultProfileTests` keeps these
/// texts equal to the files; when it fails, copy the file's text in here).
public enum ReplayDefaultProfile {
  /// Each file: its path beside the profile, and its text.
  package static let files: [(path: String, text: String)] = [
    (
      "replay-default.yaml",
      #"""
      # SPDX-License-Identifier: AGPL-3.0-or-later
      #
      # Chalkline device profile: the embedded default for replaying recorded or generated patrols.
      # `make demo` and `chalkline replay` use it. Everything is local and there are no secrets to
      # provide: no camera is opened (frames come from the dump), no gpsd is asked (positions come
      # from the dump's gps.jsonl), and the store lives in /tmp. Every key is documented in
      # README.md beside this file; keys left out take their defaults.

      device:
        id: replay-bench            # a made-up id; replays never talk to a hub unless uplink.url is set
        description: Field-test replays on a workstation

      camera:
        # The recorded camera: what the patrol generator writes and the demo replays.
        width: 1280
        height: 720
        fps: 30
        mount:
          side: right               # the generator films the right-hand curb, like a US patrol
          curb_distance_m: 3.5      # from the camera to the middle of the parking lane
          forward_offset_m: 1.2     # camera ahead of the GPS antenna
          yaw_deg: 40               # turned forward, so plates of parked cars face the lens
          error_m: 1.0

      gps:
        max_eph_m: 50
        max_fix_age: 2s

      reader:
        min_confidence: 0.6
        alternatives: 5

      enforcement:
        zones: zones/san-jose-downtown.json   # relative to this file: the CDS /curbs/zones response
        policies: zones/san-jose-downtown-policies.json   # the /curbs/policies response
        periods: zones/san-jose-holidays.json   # the city's holiday list (not part of CDS)
        time_zone: America/Los_Angeles
        same_place_tolerance_m: 10
        grace: 5m
        permit_min_observation: 10m

      vault:
        state_dir: /tmp/chalkline-replay
        quota: 256MiB
        max_unsynced_age: 7d

      # No uplink: candidates stay in the vault (the demo starts its own hub and passes its address).

      logging:
        level: notice

      metrics:
        port: 0                     # no metrics endpoint for replays

      """#
    ),
    (
      "zones/san-jose-downtown.json",
      #"""
      {
        "version": "1.1",
        "time_zone": "America/Los_Angeles",
        "last_updated": 1767225600000,
        "currency": "USD",
        "author": "Chalkline example (San José downtown, after the posted signs)",
        "license_url": "https://www.gnu.org/licenses/agpl-3.0.html",
        "data": {
          "zones": [
            {
              "curb_zone_id": "fbecfba9-6a5b-5355-8baa-c8cd2610c2ca",
              "name": "E Santa Clara St, 0 block north",
              "street_name": "E Santa Clara St",
              "cross_street_start_name": "N 1st St",
              "cross_street_end_name": "N 2nd St",
              "street_side": "N",
              "geometry": {
                "type": "Polygon",
                "coordinates": [
                  [
                    [
                      -121.8903691,
                      37.3364619
                    ],
                    [
                      -121.8891079,
                      37.3367494
                    ],
                    [
                      -121.8891157,
                      37.336771
                    ],
                    [
                      -121.8903769,
                      37.3364835
                    ],
                    [
                      -121.8903691,
                      37.3364619
                    ]
                  ]
                ]
              },
              "curb_policy_ids": [
                "8af1888e-4a65-5c2f-b181-19a8b0cfcd98"
              ],
              "published_date": 1767225600000,
              "last_updated_date": 1767225600000,
              "start_date": 1767225600000
            },
            {
              "curb_zone_id": "56fe6071-bc99-50dd-b352-ad4c7a6e1378",
              "name": "E Santa Clara St, 0 block south",
              "street_name": "E Santa Clara St",
              "cross_street_start_name": "S 1st St",
              "cross_street_end_name": "S 2nd St",
              "street_side": "S",
              "geometry": {
                "type": "Polygon",
                "coordinates": [
                  [
                    [
                      -121.8903099,
                      37.3362976
                    ],
                    [
                      -121.8890487,
                      37.3365852
                    ],
                    [
                      -121.8890409,
                      37.3365636
                    ],
                    [
                      -121.8903021,
                      37.336276
                    ],
                    [
                      -121.8903099,
                      37.3362976
                    ]
                  ]
                ]
              },
              "curb_policy_ids": [
                "597aaf89-d59b-515a-a315-33fa3bf1cfc5"
              ],
              "published_date": 1767225600000,
              "last_updated_date": 1767225600000,
              "start_date": 1767225600000
            },
            {
              "curb_zone_id": "f51aa927-865b-5e3e-a683-d4a60ef8e85a",
              "name": "E Santa Clara St, 100 block north",
              "street_name": "E Santa Clara St",
              "cross_street_start_name": "N 2nd St",
              "cross_street_end_name": "N 3rd St",
              "street_side": "N",
              "geometry": {
                "type": "Polygon",
                "coordinates": [
                  [
                    [
                      -121.888847,
                      37.3368089
                    ],
                    [
                      -121.8875857,
                      37.3370965
                    ],
                    [
                      -121.8875935,
                      37.3371181
                    ],
                    [
                      -121.8888548,
                      37.3368305
                    ],
                    [
                      -121.888847,
                      37.3368089
                    ]
                  ]
                ]
              },
              "curb_policy_ids": [
                "ddcd64ae-a5f4-5e4b-ae42-f0b17194540a",
                "8ba4f4e2-a41b-51d5-bb56-ee8ac3bea56d"
              ],
              "published_date": 1767225600000,
              "last_updated_date": 1767225600000,
              "start_date": 1767225600000
            },
            {
              "curb_zone_id": "72fd7985-6ee7-5233-9360-b43cb2042c44",
              "name": "E Santa Clara St, 100 block south",
              "street_name": "E Santa Clara St",
              "cross_street_start_name": "S 2nd St",
              "cross_street_end_name": "S 3rd St",
              "street_side": "S",
              "geometry": {
                "type": "Polygon",
                "coordinates": [
                  [
                    [
                      -121.8887877,
                      37.3366447
                    ],
                    [
                      -121.8875265,
                      37.3369322
                    ],
                    [
                      -121.8875187,
                      37.3369106
                    ],
                    [
                      -121.8887799,
                      37.336623
                    ],
                    [
                      -121.8887877,
                      37.3366447
                    ]
                  ]
                ]
              },
              "curb_policy_ids": [
                "ddcd64ae-a5f4-5e4b-ae42-f0b17194540a",
                "597aaf89-d59b-515a-a315-33fa3bf1cfc5"
              ],
              "published_date": 1767225600000,
              "last_updated_date": 1767225600000,
              "start_date": 1767225600000
            },
            {
              "curb_zone_id": "4d27093f-f469-57fc-b02e-ed69dd82ee5a",
              "name": "N 1st St, 0 block east",
              "street_name": "N 1st St",
              "cross_street_start_name": "E Santa Clara St",
              "cross_street_end_name": "E St John St",
              "street_side": "E",
              "geometry": {
                "type": "Polygon",
                "coordinates": [
                  [
                    [
                      -121.890443,
                      37.3364871
                    ],
                    [
                      -121.8907672,
                      37.3373862
                    ],
                    [
                      -121.89074,
                      37.3373924
                    ],
                    [
                      -121.8904158,
                      37.3364933
                    ],
                    [
                      -121.890443,
                      37.3364871
                    ]
                  ]
                ]
              },
              "curb_policy_ids": [
                "92f2e634-8add-5922-897c-dcee531ff3b6",
                "8af1888e-4a65-5c2f-b181-19a8b0cfcd98"
              ],
              "published_date": 1767225600000,
              "last_updated_date": 1767225600000,
              "start_date": 1767225600000
            },
            {
              "curb_zone_id": "5bea1343-bdae-5dca-a72b-ae06f8f47208",
              "name": "N 1st St, 0 block west",
              "street_name": "N 1st St",
              "cross_street_start_name": "W Santa Clara St",
              "cross_street_end_name": "W St John St",
              "street_side": "W",
              "geometry": {
                "type": "Polygon",
                "coordinates": [
                  [
                    [
                      -121.8905843,
                      37.3364549
                    ],
                    [
                      -121.8909086,
                      37.337354
                    ],
                    [
                      -121.8909357,
                      37.3373478
                    ],
                    [
                      -121.8906115,
                      37.3364487
                    ],
                    [
                      -121.8905843,
                      37.3364549
                    ]
                  ]
                ]
              },
              "curb_policy_ids": [
                "8af1888e-4a65-5c2f-b181-19a8b0cfcd98"
              ],
              "published_date": 1767225600000,
              "last_updated_date": 1767225600000,
              "start_date": 1767225600000
            },
            {
              "curb_zone_id": "144143d4-cb6f-5b6a-b95e-a68c4fed99ba",
              "name": "N 3rd St, 400 block west",
              "street_name": "N 3rd St",
              "cross_street_start_name": "E St James St",
              "cross_street_end_name": "E Julian St",
              "street_side": "W",
              "geometry": {
                "type": "Polygon",
                "coordinates": [
                  [
                    [
                      -121.8889304,
                      37.3410046
                    ],
                    [
                      -121.8892921,
                      37.3420074
                    ],
                    [
                      -121.8893193,
                      37.3420012
                    ],
                    [
                      -121.8889576,
                      37.3409984
                    ],
                    [
                      -121.8889304,
                      37.3410046
                    ]
                  ]
                ]
              },
              "curb_policy_ids": [
                "173f4922-4c7c-5b90-a71b-5174e85ecc13",
                "7e3c28a3-bdee-535e-9479-05753f135a14"
              ],
              "published_date": 1767225600000,
              "last_updated_date": 1767225600000,
              "start_date": 1767225600000
            },
            {
              "curb_zone_id": "29ae367f-cc7d-5bdf-b8e4-28ce62ba21a7",
              "name": "N 3rd St, 400 block east",
              "street_name": "N 3rd St",
              "cross_street_start_name": "E St James St",
              "cross_street_end_name": "E Julian St",
              "street_side": "E",
              "geometry": {
                "type": "Polygon",
                "coordinates": [
                  [
                    [
                      -121.8887891,
                      37.3410368
                    ],
                    [
                      -121.8891508,
                      37.3420396
                    ],
                    [
                      -121.8891236,
                      37.3420458
                    ],
                    [
                      -121.8887619,
                      37.341043
                    ],
                    [
                      -121.8887891,
                      37.3410368
                    ]
                  ]
                ]
              },
              "curb_policy_ids": [
                "173f4922-4c7c-5b90-a71b-5174e85ecc13",
                "7e3c28a3-bdee-535e-9479-05753f135a14"
              ],
              "published_date": 1767225600000,
              "last_updated_date": 1767225600000,
              "start_date": 1767225600000
            }
          ]
        }
      }

      """#
    ),
    (
      "zones/san-jose-downtown-policies.json",
      #"""
      {
        "version": "1.1",
        "time_zone": "America/Los_Angeles",
        "last_updated": 1767225600000,
        "currency": "USD",
        "author": "Chalkline example (San José downtown, after the posted signs)",
        "license_url": "https://www.gnu.org/licenses/agpl-3.0.html",
        "data": {
          "policies": [
            {
              "curb_policy_id": "ddcd64ae-a5f4-5e4b-ae42-f0b17194540a",
              "name": "sj-sweeping-2nd-4th-tue",
              "published_date": 1767225600000,
              "priority": 1,
              "rules": [
                {
                  "activity": "no parking"
                }
              ],
              "time_spans": [
                {
                  "days_of_week": [
                    "tue"
                  ],
                  "weeks_of_month": [
                    2,
                    4
                  ],
                  "time_of_day_start": "07:00",
                  "time_of_day_end": "09:00"
                }
              ]
            },
            {
              "curb_policy_id": "92f2e634-8add-5922-897c-dcee531ff3b6",
              "name": "sj-loading-weekday-mornings",
              "published_date": 1767225600000,
              "priority": 5,
              "rules": [
                {
                  "activity": "loading",
                  "max_stay": 30,
                  "max_stay_unit": "minute",
                  "user_classes": [
                    "commercial"
                  ]
                },
                {
                  "activity": "no parking"
                }
              ],
              "time_spans": [
                {
                  "days_of_week": [
                    "mon",
                    "tue",
                    "wed",
                    "thu",
                    "fri"
                  ],
                  "time_of_day_start": "07:00",
                  "time_of_day_end": "10:00"
                }
              ]
            },
            {
              "curb_policy_id": "173f4922-4c7c-5b90-a71b-5174e85ecc13",
              "name": "sj-permit-r-nights",
              "published_date": 1767225600000,
              "priority": 5,
              "rules": [
                {
                  "activity": "parking",
                  "user_classes": [
                    "permit R"
                  ]
                },
                {
                  "activity": "no parking"
                }
              ],
              "time_spans": [
                {
                  "time_of_day_start": "18:00",
                  "time_of_day_end": "08:00"
                }
              ]
            },
            {
              "curb_policy_id": "8ba4f4e2-a41b-51d5-bb56-ee8ac3bea56d",
              "name": "sj-2h-mon-sat-permit-r",
              "published_date": 1767225600000,
              "priority": 10,
              "rules": [
                {
                  "activity": "parking",
                  "user_classes": [
                    "permit R"
                  ]
                },
                {
                  "activity": "parking",
                  "max_stay": 2,
                  "max_stay_unit": "hour"
                }
              ],
              "time_spans": [
                {
                  "days_of_week": [
                    "mon",
                    "tue",
                    "wed",
                    "thu",
                    "fri",
                    "sat"
                  ],
                  "time_of_day_start": "08:00",
                  "time_of_day_end": "18:00"
                }
              ]
            },
            {
              "curb_policy_id": "7e3c28a3-bdee-535e-9479-05753f135a14",
              "name": "sj-2h-weekdays-permit-r",
              "published_date": 1767225600000,
              "priority": 10,
              "rules": [
                {
                  "activity": "parking",
                  "user_classes": [
                    "permit R"
                  ]
                },
                {
                  "activity": "parking",
                  "max_stay": 2,
                  "max_stay_unit": "hour"
                }
              ],
              "time_spans": [
                {
                  "days_of_week": [
                    "mon",
                    "tue",
                    "wed",
                    "thu",
                    "fri"
                  ],
                  "time_of_day_start": "08:00",
                  "time_of_day_end": "18:00"
                }
              ]
            },
            {
              "curb_policy_id": "597aaf89-d59b-515a-a315-33fa3bf1cfc5",
              "name": "sj-1h-mon-sat-except-holidays",
              "published_date": 1767225600000,
              "priority": 10,
              "rules": [
                {
                  "activity": "parking",
                  "max_stay": 1,
                  "max_stay_unit": "hour"
                }
              ],
              "time_spans": [
                {
                  "days_of_week": [
                    "mon",
                    "tue",
                    "wed",
                    "thu",
                    "fri",
                    "sat"
                  ],
                  "time_of_day_start": "09:00",
                  "time_of_day_end": "18:00",
                  "designated_period": "holidays",
                  "designated_period_except": true
                }
              ]
            },
            {
              "curb_policy_id": "8af1888e-4a65-5c2f-b181-19a8b0cfcd98",
              "name": "sj-2h-no-return-mon-sat",
              "published_date": 1767225600000,
              "priority": 10,
              "rules": [
                {
                  "activity": "parking",
                  "max_stay": 2,
                  "max_stay_unit": "hour",
                  "no_return": 3,
                  "no_return_unit": "hour"
                }
              ],
              "time_spans": [
                {
                  "days_of_week": [
                    "mon",
                    "tue",
                    "wed",
                    "thu",
                    "fri",
                    "sat"
                  ],
                  "time_of_day_start": "08:00",
                  "time_of_day_end": "18:00",
                  "designated_period": "holidays",
                  "designated_period_except": true
                }
              ]
            }
          ]
        }
      }

      """#
    ),
    (
      "zones/san-jose-holidays.json",
      #"""
      {
        "version": "2026-12-01",
        "author": "Chalkline example: City of San José observed holidays for parking",
        "time_zone": "America/Los_Angeles",
        "designated_periods": {
          "holidays": [
            "2026-01-01",
            "2026-01-19",
            "2026-02-16",
            "2026-03-31",
            "2026-05-25",
            "2026-07-03",
            "2026-09-07",
            "2026-11-11",
            "2026-11-26",
            "2026-11-27",
            "2026-12-25",
            "2027-01-01",
            "2027-01-18",
            "2027-02-15"
          ]
        }
      }

      """#
    ),
  ]

  /// Writes the profile and its files into a new private folder, runs `body` with the profile's
  /// path and removes the folder: the profile's relative paths find the files beside it.
  public static func withProfile<T>(_ body: (String) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "chalkline-replay-default-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(
      at: folder.appendingPathComponent("zones"), withIntermediateDirectories: true,
      attributes: [.posixPermissions: 0o700])
    try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder.path)
    defer { try? FileManager.default.removeItem(at: folder) }  // only the copies written here
    for file in files {
      let url = folder.appendingPathComponent(file.path)
      try Data(file.text.utf8).write(to: url, options: .withoutOverwriting)
      try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: url.path)
    }
    return try await body(folder.appendingPathComponent(files[0].path).path)
  }
}
