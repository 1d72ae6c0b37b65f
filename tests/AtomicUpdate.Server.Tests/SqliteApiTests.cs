namespace AtomicUpdate.Server.Tests;

public sealed class SqliteApiTests(SqliteServerFixture fixture) : ApiTests(fixture), IClassFixture<SqliteServerFixture>;
