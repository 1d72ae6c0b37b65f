namespace AtomicUpdate.Server.Data;

/// <summary>
/// The schema, as ordered migrations. Integers are 64-bit everywhere and times are Unix
/// milliseconds, so the same queries read the same types on SQLite and PostgreSQL; only the
/// identity column and the floating-point type differ between the dialects.
/// Never edit a released migration: add the next one.
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        Portable(1, "initial schema", """
            CREATE TABLE devices (
                id TEXT PRIMARY KEY,
                token_hash TEXT NOT NULL UNIQUE,
                hardware_id TEXT NOT NULL,
                serial TEXT UNIQUE,
                name TEXT,
                channel TEXT NOT NULL,
                device_group TEXT,
                state TEXT,
                phase TEXT,
                transaction_id TEXT,
                target_version TEXT,
                bytes_done BIGINT,
                bytes_total BIGINT,
                installed_version TEXT,
                booted_version TEXT,
                trial_version TEXT,
                last_error TEXT,
                rollback BIGINT NOT NULL DEFAULT 0,
                last_sequence BIGINT NOT NULL DEFAULT 0,
                enrolled_at BIGINT NOT NULL,
                last_seen_at BIGINT,
                last_report_at BIGINT,
                rate_window BIGINT NOT NULL DEFAULT 0,
                rate_count BIGINT NOT NULL DEFAULT 0
            );
            CREATE INDEX devices_channel ON devices (channel);
            CREATE INDEX devices_state ON devices (state);
            CREATE INDEX devices_last_seen ON devices (last_seen_at);
            CREATE TABLE device_events (
                id {identity},
                device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
                sequence BIGINT NOT NULL,
                time BIGINT NOT NULL,
                received_at BIGINT NOT NULL,
                state TEXT NOT NULL,
                phase TEXT,
                transaction_id TEXT,
                target_version TEXT,
                bytes_done BIGINT,
                bytes_total BIGINT,
                installed_version TEXT,
                booted_version TEXT,
                trial_version TEXT,
                last_error TEXT,
                rollback BIGINT NOT NULL DEFAULT 0,
                UNIQUE (device_id, sequence)
            );
            CREATE TABLE releases (
                version TEXT PRIMARY KEY,
                hardware TEXT NOT NULL,
                uuid TEXT NOT NULL,
                length BIGINT NOT NULL,
                sha256 TEXT NOT NULL,
                registered_at BIGINT NOT NULL,
                registered_by TEXT NOT NULL
            );
            CREATE TABLE rollouts (
                id TEXT PRIMARY KEY,
                channel TEXT NOT NULL,
                version TEXT NOT NULL REFERENCES releases (version),
                phases TEXT NOT NULL,
                current_phase BIGINT NOT NULL DEFAULT 0,
                state TEXT NOT NULL,
                failure_threshold {double} NOT NULL,
                minimum_devices BIGINT NOT NULL,
                halt_reason TEXT,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                created_by TEXT NOT NULL
            );
            CREATE INDEX rollouts_channel ON rollouts (channel, created_at);
            CREATE TABLE rollout_devices (
                rollout_id TEXT NOT NULL REFERENCES rollouts (id) ON DELETE CASCADE,
                device_id TEXT NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
                outcome TEXT NOT NULL,
                offered_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                PRIMARY KEY (rollout_id, device_id)
            );
            CREATE INDEX rollout_devices_device ON rollout_devices (device_id);
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                role TEXT NOT NULL,
                key_hash TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT
            );
            """),
        // The halt check after a device report asks whether a rollout has failures at all, and counts
        // its devices by outcome, from this index alone instead of sorting the rollout's rows.
        Portable(2, "rollout outcomes index", """
            CREATE INDEX rollout_devices_outcome ON rollout_devices (rollout_id, outcome);
            """),
        // Check-ins write last_seen_at all the time; indexed, every such write also updated the
        // table's five other indexes (PostgreSQL cannot update a row in place, "HOT", when an indexed
        // column changes). Nothing needs the index: the device list sorts by an expression and the
        // summary's count scans the table as its other counts do. On PostgreSQL the table keeps room
        // on each page for the new row versions of in-place updates (new pages only: an existing table
        // gets it with VACUUM FULL devices).
        new(3, "last seen without index",
            "DROP INDEX devices_last_seen",
            "DROP INDEX devices_last_seen; ALTER TABLE devices SET (fillfactor = 80)"),
        // Last-seen times move to a narrow table of their own: their writes (one per device and
        // minute of check-ins) no longer rewrite a wide device row and its five indexes, and on
        // PostgreSQL, with room left on every page, they are in-place (HOT) updates of a small row.
        new(4, "device presence",
            """
            CREATE TABLE device_presence (
                device_id TEXT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
                last_seen_at BIGINT NOT NULL
            ) WITHOUT ROWID;
            INSERT INTO device_presence (device_id, last_seen_at) SELECT id, last_seen_at FROM devices WHERE last_seen_at IS NOT NULL;
            ALTER TABLE devices DROP COLUMN last_seen_at
            """,
            """
            CREATE TABLE device_presence (
                device_id TEXT PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
                last_seen_at BIGINT NOT NULL
            ) WITH (fillfactor = 50);
            INSERT INTO device_presence (device_id, last_seen_at) SELECT id, last_seen_at FROM devices WHERE last_seen_at IS NOT NULL;
            ALTER TABLE devices DROP COLUMN last_seen_at
            """),
    ];

    private static Migration Portable(int version, string name, string template) =>
        new(version, name,
            template.Replace("{identity}", "INTEGER PRIMARY KEY AUTOINCREMENT", StringComparison.Ordinal)
                .Replace("{double}", "REAL", StringComparison.Ordinal),
            template.Replace("{identity}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", StringComparison.Ordinal)
                .Replace("{double}", "DOUBLE PRECISION", StringComparison.Ordinal));
}
