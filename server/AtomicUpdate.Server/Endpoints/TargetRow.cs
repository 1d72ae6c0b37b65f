using System.Data.Common;
using AtomicUpdate.Server.Data;

namespace AtomicUpdate.Server.Endpoints;

/// <summary>
/// One row of the target poll's single read: the device a token belongs to and one live rollout
/// of its channel with its release's hardware and the device's outcome in it; the rollout columns
/// are null when the channel has none.
/// </summary>
internal sealed class TargetRow
{
    /// <summary>
    /// The read, by token hash; <see cref="Read"/> takes its columns in this order. The outcome is a
    /// subquery on rollout_devices' primary key: as a join, PostgreSQL's generic plan, made while
    /// the table was small, hashed the whole table on every poll.
    /// </summary>
    public const string Select = """
        SELECT d.id, d.channel, d.hardware_id, d.installed_version, d.device_group, p.last_seen_at,
            r.id, r.version, r.phases, r.current_phase, r.state, rel.hardware,
            (SELECT rd.outcome FROM rollout_devices rd WHERE rd.rollout_id = r.id AND rd.device_id = d.id)
        FROM devices d
        LEFT JOIN device_presence p ON p.device_id = d.id
        LEFT JOIN (rollouts r JOIN releases rel ON rel.version = r.version)
            ON r.channel = d.channel AND r.state IN ('Active', 'Paused', 'Completed')
        WHERE d.token_hash = @hash
        ORDER BY r.created_at DESC
        LIMIT 50
        """;

    public string DeviceId { get; set; } = "";
    public string Channel { get; set; } = "";
    public string HardwareId { get; set; } = "";
    public string? InstalledVersion { get; set; }
    public string? DeviceGroup { get; set; }
    public long? LastSeenAt { get; set; }
    public string? RolloutId { get; set; }
    public string? Version { get; set; }
    public string? Phases { get; set; }
    public long? CurrentPhase { get; set; }
    public string? State { get; set; }
    public string? Hardware { get; set; }
    public string? Outcome { get; set; }

    /// <summary>The current row of a reader of <see cref="Select"/>, by column position.</summary>
    public static TargetRow Read(DbDataReader reader) => new()
    {
        DeviceId = reader.GetString(0),
        Channel = reader.GetString(1),
        HardwareId = reader.GetString(2),
        InstalledVersion = Text(reader, 3),
        DeviceGroup = Text(reader, 4),
        LastSeenAt = reader.IsDBNull(5) ? null : reader.GetInt64(5),
        RolloutId = Text(reader, 6),
        Version = Text(reader, 7),
        Phases = Text(reader, 8),
        CurrentPhase = reader.IsDBNull(9) ? null : reader.GetInt64(9),
        State = Text(reader, 10),
        Hardware = Text(reader, 11),
        Outcome = Text(reader, 12),
    };

    private static string? Text(DbDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    /// <summary>The rollout part, as much of it as choosing an offer reads.</summary>
    public RolloutRow Rollout() => new()
    {
        Id = RolloutId ?? "",
        Channel = Channel,
        Version = Version ?? "",
        Phases = Phases ?? "[]",
        CurrentPhase = CurrentPhase ?? 0,
        State = State ?? "",
    };
}
