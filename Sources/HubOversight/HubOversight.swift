// SPDX-License-Identifier: AGPL-3.0-or-later
/// The city's oversight of the hub's records: the annual data usage report, review accuracy and
/// retention. It reads and prunes the hub's database (schema owned by `Hub`'s migrations) and
/// depends on nothing of the hub above storage, so the hub's server can run its daily job.
public enum HubOversight {}
