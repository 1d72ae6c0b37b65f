using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Unicode;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// The load generator: a fixed number of connections, each a loop of device check-ins. A
/// check-in is one GET of the device's target (with the ETag it got last time); every
/// <c>reportEvery</c>-th check-in also posts a report. Devices are taken in turn from the whole
/// registered fleet, as a large fleet polling every few minutes looks to the server. Requests are
/// formatted into each connection's own buffers and sent over <see cref="FleetHttpConnection"/>,
/// so the generator takes little of the CPU it shares with the server.
/// </summary>
internal static class FleetLoad
{
    /// <summary>The warm-up lasts at least this many requests too: on a busy machine a few seconds do not finish the server's JIT.</summary>
    public const int WarmupRequests = 20_000;

    public static async Task<FleetLoadResult> RunDevicesAsync(
        string name, Uri server, int devices, string salt, int connections, TimeSpan warmup, TimeSpan duration, int reportEvery,
        Func<double> serverCpu, Func<double> databaseCpu)
    {
        var endpoint = Endpoint(server);
        var host = server.Authority;
        var etags = new string?[devices];
        var sequences = new long[devices];
        var checkIns = new LatencyRecorder(connections);
        var reports = new LatencyRecorder(connections);
        long next = -1, notModified = 0, errors = 0;
        string? firstError = null;
        var measuring = false;
        var stop = false;

        async Task WorkerAsync(int worker)
        {
            var request = new byte[4096];
            var body = new byte[1024];
            FleetHttpConnection? connection = null;
            while (!Volatile.Read(ref stop))
            {
                var counter = Interlocked.Increment(ref next);
                var device = (int)(counter % devices);
                var token = FleetDatabase.Token(salt, device);
                var record = Volatile.Read(ref measuring);
                try
                {
                    connection ??= await FleetHttpConnection.ConnectAsync(endpoint);
                    var start = Stopwatch.GetTimestamp();
                    var length = etags[device] is { } etag
                        ? Format(request, $"GET /api/v1/device/target HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nIf-None-Match: {etag}\r\n\r\n")
                        : Format(request, $"GET /api/v1/device/target HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n");
                    var response = await connection.SendAsync(request.AsMemory(0, length));
                    if (response.Status == 304)
                    {
                        Interlocked.Increment(ref notModified);
                    }
                    else if (response.Status == 200)
                    {
                        etags[device] = response.ETag;
                    }
                    else
                    {
                        Fail($"target answered {response.Status}: {response.ErrorBody}");
                        continue;
                    }
                    if (record)
                    {
                        checkIns.Record(worker, start);
                    }

                    if (counter % reportEvery == 0)
                    {
                        var sequence = Interlocked.Increment(ref sequences[device]);
                        start = Stopwatch.GetTimestamp();
                        var bodyLength = Report(body, sequence);
                        length = Format(request, $"POST /api/v1/device/reports HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {bodyLength}\r\n\r\n");
                        body.AsSpan(0, bodyLength).CopyTo(request.AsSpan(length));
                        var accepted = await connection.SendAsync(request.AsMemory(0, length + bodyLength));
                        if (accepted.Status != 202)
                        {
                            Fail($"reports answered {accepted.Status}: {accepted.ErrorBody}");
                        }
                        else if (record)
                        {
                            reports.Record(worker, start);
                        }
                    }
                }
                catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
                {
                    // A fresh connection for the next check-in: this one may hold half a response.
                    Fail(exception.Message);
                    connection?.Dispose();
                    connection = null;
                }
            }
            connection?.Dispose();
        }

        void Fail(string message)
        {
            Interlocked.Increment(ref errors);
            Interlocked.CompareExchange(ref firstError, message, null);
        }

        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(() => WorkerAsync(w))).ToArray();
        await WarmUpAsync(warmup, () => Volatile.Read(ref next));
        var cpu = FleetCpuWindow.Start(serverCpu, databaseCpu);
        Volatile.Write(ref measuring, true);
        var watch = Stopwatch.StartNew();
        await Task.Delay(duration);
        Volatile.Write(ref measuring, false);
        var seconds = watch.Elapsed.TotalSeconds;
        cpu.Stop();
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);
        return new FleetLoadResult(name, checkIns.Count / seconds, checkIns.Percentile(0.5), checkIns.Percentile(0.99),
            reports.Count / seconds, reports.Percentile(0.99), notModified, errors, firstError, cpu, seconds);
    }

    /// <summary>The same loop against one static URL: what serving a check-in's bytes costs without any logic.</summary>
    public static async Task<FleetLoadResult> RunStaticAsync(string name, Uri url, int connections, TimeSpan warmup, TimeSpan duration, Func<double> serverCpu)
    {
        var endpoint = Endpoint(url);
        var latencies = new LatencyRecorder(connections);
        long requests = 0, errors = 0;
        string? firstError = null;
        var measuring = false;
        var stop = false;

        async Task WorkerAsync(int worker)
        {
            var request = new byte[1024];
            FleetHttpConnection? connection = null;
            while (!Volatile.Read(ref stop))
            {
                var record = Volatile.Read(ref measuring);
                try
                {
                    connection ??= await FleetHttpConnection.ConnectAsync(endpoint);
                    var start = Stopwatch.GetTimestamp();
                    var length = Format(request, $"GET {url.PathAndQuery} HTTP/1.1\r\nHost: {url.Authority}\r\n\r\n");
                    var response = await connection.SendAsync(request.AsMemory(0, length));
                    Interlocked.Increment(ref requests);
                    if (response.Status != 200)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, $"answered {response.Status}", null);
                    }
                    else if (record)
                    {
                        latencies.Record(worker, start);
                    }
                }
                catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, exception.Message, null);
                    connection?.Dispose();
                    connection = null;
                }
            }
            connection?.Dispose();
        }

        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(() => WorkerAsync(w))).ToArray();
        await WarmUpAsync(warmup, () => Volatile.Read(ref requests));
        var cpu = FleetCpuWindow.Start(serverCpu, static () => 0);
        Volatile.Write(ref measuring, true);
        var watch = Stopwatch.StartNew();
        await Task.Delay(duration);
        Volatile.Write(ref measuring, false);
        var seconds = watch.Elapsed.TotalSeconds;
        cpu.Stop();
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);
        return new FleetLoadResult(name, latencies.Count / seconds, latencies.Percentile(0.5), latencies.Percentile(0.99), 0, double.NaN, 0, errors, firstError, cpu, seconds);
    }

    private static async Task WarmUpAsync(TimeSpan warmup, Func<long> requests)
    {
        var deadline = Stopwatch.StartNew();
        await Task.Delay(warmup);
        // Bounded, so a server that stopped answering still gets a measured (and failing) run.
        while (requests() < WarmupRequests && deadline.Elapsed < warmup * 10)
        {
            await Task.Delay(100);
        }
    }

    private static IPEndPoint Endpoint(Uri server) => new(IPAddress.Parse(server.Host), server.Port);

    /// <summary>Formats ASCII request text into <paramref name="buffer"/> without allocating; its length.</summary>
    private static int Format(Span<byte> buffer, [System.Runtime.CompilerServices.InterpolatedStringHandlerArgument(nameof(buffer))] ref Utf8.TryWriteInterpolatedStringHandler text) =>
        Utf8.TryWrite(buffer, ref text, out var written) ? written : throw new InvalidOperationException("A request does not fit its buffer.");

    /// <summary>A download-progress report, as an agent sends while it receives an update; its length in <paramref name="buffer"/>.</summary>
    private static int Report(byte[] buffer, long sequence) =>
        Format(buffer, $$"""{"reports":[{"sequence":{{sequence}},"time":"{{DateTimeOffset.UtcNow:O}}","state":"Downloading","phase":"receive","targetVersion":"1.1","bytesDone":{{sequence * 4096}},"bytesTotal":1048576,"installedVersion":"1.0","rollback":false}]}""");
}
