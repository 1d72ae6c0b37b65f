namespace AtomicUpdate.Server.Data;

internal enum SqlDialect
{
    Sqlite,
    PostgreSql,
}
