namespace AtomicUpdate.Server.Data;

/// <summary>One schema step: the same change written for each dialect.</summary>
internal sealed record Migration(int Version, string Name, string Sqlite, string PostgreSql)
{
    public string For(SqlDialect dialect) => dialect == SqlDialect.Sqlite ? Sqlite : PostgreSql;
}
