using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// The load generator: a fixed number of connections, each a loop of device check-ins. A
/// check-in is one GET of the device's target (with the ETag it got last time); every
/// <c>reportEvery</c>-th check-in also posts a report. Devices are taken in turn from the whole
/// registered fleet, as a large fleet polling every few minutes looks to the server.
/// </summary>
internal static class FleetLoad
{
    public static async Task<FleetLoadResult> RunDevicesAsync(
        string name, Uri server, int devices, string salt, int connections, TimeSpan warmup, TimeSpan duration, int reportEvery)
    {
        using var http = CreateClient(server, connections);
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
            while (!Volatile.Read(ref stop))
            {
                var counter = Interlocked.Increment(ref next);
                var device = (int)(counter % devices);
                var token = FleetDatabase.Token(salt, device);
                var record = Volatile.Read(ref measuring);
                var start = Stopwatch.GetTimestamp();
                try
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, "api/v1/device/target");
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                    if (etags[device] is { } etag)
                    {
                        request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                    }
                    using var response = await http.SendAsync(request);
                    await response.Content.LoadIntoBufferAsync();
                    if (response.StatusCode == HttpStatusCode.NotModified)
                    {
                        Interlocked.Increment(ref notModified);
                    }
                    else if (response.StatusCode == HttpStatusCode.OK)
                    {
                        etags[device] = response.Headers.ETag?.ToString();
                    }
                    else
                    {
                        Fail($"target answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
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
                        using var post = new HttpRequestMessage(HttpMethod.Post, "api/v1/device/reports")
                        {
                            Content = new StringContent(Report(sequence), Encoding.UTF8, "application/json"),
                        };
                        post.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                        using var accepted = await http.SendAsync(post);
                        await accepted.Content.LoadIntoBufferAsync();
                        if (accepted.StatusCode != HttpStatusCode.Accepted)
                        {
                            Fail($"reports answered {(int)accepted.StatusCode}: {await accepted.Content.ReadAsStringAsync()}");
                        }
                        else if (record)
                        {
                            reports.Record(worker, start);
                        }
                    }
                }
                catch (HttpRequestException exception)
                {
                    Fail(exception.Message);
                }
                catch (TaskCanceledException exception)
                {
                    Fail("timeout: " + exception.Message);
                }
            }
        }

        void Fail(string message)
        {
            Interlocked.Increment(ref errors);
            Interlocked.CompareExchange(ref firstError, message, null);
        }

        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(() => WorkerAsync(w))).ToArray();
        await Task.Delay(warmup);
        Volatile.Write(ref measuring, true);
        var watch = Stopwatch.StartNew();
        await Task.Delay(duration);
        Volatile.Write(ref measuring, false);
        var seconds = watch.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);
        return new FleetLoadResult(name, checkIns.Count / seconds, checkIns.Percentile(0.5), checkIns.Percentile(0.99),
            reports.Count / seconds, reports.Percentile(0.99), notModified, errors, firstError);
    }

    /// <summary>The same loop against one static URL: what serving a check-in's bytes costs without any logic.</summary>
    public static async Task<FleetLoadResult> RunStaticAsync(string name, Uri url, int connections, TimeSpan warmup, TimeSpan duration)
    {
        using var http = CreateClient(new Uri(url, "/"), connections);
        var latencies = new LatencyRecorder(connections);
        long errors = 0;
        string? firstError = null;
        var measuring = false;
        var stop = false;

        async Task WorkerAsync(int worker)
        {
            while (!Volatile.Read(ref stop))
            {
                var record = Volatile.Read(ref measuring);
                var start = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await http.GetAsync(url);
                    await response.Content.LoadIntoBufferAsync();
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref errors);
                        Interlocked.CompareExchange(ref firstError, $"answered {(int)response.StatusCode}", null);
                    }
                    else if (record)
                    {
                        latencies.Record(worker, start);
                    }
                }
                catch (HttpRequestException exception)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, exception.Message, null);
                }
            }
        }

        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(() => WorkerAsync(w))).ToArray();
        await Task.Delay(warmup);
        Volatile.Write(ref measuring, true);
        var watch = Stopwatch.StartNew();
        await Task.Delay(duration);
        Volatile.Write(ref measuring, false);
        var seconds = watch.Elapsed.TotalSeconds;
        Volatile.Write(ref stop, true);
        await Task.WhenAll(workers);
        return new FleetLoadResult(name, latencies.Count / seconds, latencies.Percentile(0.5), latencies.Percentile(0.99), 0, double.NaN, 0, errors, firstError);
    }

    private static HttpClient CreateClient(Uri baseAddress, int connections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };

    /// <summary>A download-progress report, as an agent sends while it receives an update.</summary>
    private static string Report(long sequence) => string.Create(CultureInfo.InvariantCulture,
        $$"""{"reports":[{"sequence":{{sequence}},"time":"{{DateTimeOffset.UtcNow:O}}","state":"Downloading","phase":"receive","targetVersion":"1.1","bytesDone":{{sequence * 4096}},"bytesTotal":1048576,"installedVersion":"1.0","rollback":false}]}""");
}
