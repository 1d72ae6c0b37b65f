namespace AtomicUpdate.Server.Data;

/// <summary>
/// This process's turn to write to SQLite, from <see cref="Database.EnterWriteAsync"/>; disposing
/// it lets the next writer in. A no-op on PostgreSQL, which locks rows itself.
/// </summary>
internal readonly struct WriteLock(SemaphoreSlim? gate) : IDisposable
{
    public void Dispose() => gate?.Release();
}
