using System.Diagnostics;
using AtomicUpdate.Payload;

namespace AtomicUpdate.Agent.Installation;

/// <summary>Passes chunk reads through and adds their time (disk or network, before any check) to a phase of <see cref="InstallPhases"/>.</summary>
internal sealed class TimedChunkSource(IChunkSource inner, InstallPhases phases, string phase) : IChunkSource
{
    public async ValueTask ReadChunkAsync(int index, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await inner.ReadChunkAsync(index, destination, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            phases.AddSince(phase, started);
        }
    }

    public void ReadChunk(int index, Memory<byte> destination)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            inner.ReadChunk(index, destination);
        }
        finally
        {
            phases.AddSince(phase, started);
        }
    }
}
