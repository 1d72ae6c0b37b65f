namespace AtomicUpdate.Server.Tests;

public sealed class PostgresApiTests(PostgresServerFixture fixture) : ApiTests(fixture), IClassFixture<PostgresServerFixture>;
