namespace AtomicUpdate.Benchmarks;

/// <summary>
/// A measured process: its time, its peak resident set (VmHWM), and the largest resident set
/// sampled, by kind: anonymous memory (heaps, buffers, stacks), mapped files (the code of the
/// runtime, the libraries and the assemblies) and shared memory (.NET's executable memory —
/// JIT-compiled code, stubs, type data — which it maps twice, writable and executable).
/// </summary>
internal sealed record ProcessPeak(TimeSpan Elapsed, long PeakKilobytes, long SampledKilobytes, long AnonymousKilobytes, long FileKilobytes, long SharedKilobytes, string Output)
{
    public string Describe() =>
        $"peak RSS {PeakKilobytes / 1024.0:F1} MiB; largest sample {SampledKilobytes / 1024.0:F1} MiB = {AnonymousKilobytes / 1024.0:F1} MiB anonymous (heaps, buffers, stacks) + {FileKilobytes / 1024.0:F1} MiB mapped files (code) + {SharedKilobytes / 1024.0:F1} MiB .NET executable memory (JIT code, stubs, type data; mapped twice)";
}
