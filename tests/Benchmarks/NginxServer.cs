using System.Globalization;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// nginx on a loopback port with a private configuration, pid file and logs in the run's
/// directory, serving one static file: the yardstick for what a check-in could cost at best.
/// </summary>
internal sealed class NginxServer : IAsyncDisposable
{
    private readonly FleetProcess _process;

    private NginxServer(FleetProcess process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public static string? Locate() => new[] { "/usr/sbin/nginx", "/usr/bin/nginx" }.FirstOrDefault(File.Exists);

    public static async Task<NginxServer> StartAsync(string workDirectory, byte[] content)
    {
        var nginx = Locate() ?? throw new InvalidOperationException("nginx is not installed (apt-get install -y nginx-light).");
        var root = Path.Combine(workDirectory, "nginx");
        Directory.CreateDirectory(Path.Combine(root, "html"));
        // nginx's workers run as www-data: the run's private temp directories must let them through to the file.
        foreach (var directory in new[] { Path.GetDirectoryName(workDirectory)!, workDirectory, root, Path.Combine(root, "html") })
        {
            File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));
        }
        await File.WriteAllBytesAsync(Path.Combine(root, "html", "target.json"), content);
        var port = FleetServer.FreePort();
        // One worker per core, keep-alive without limit: the same footing as Kestrel. Logs off, as au-server's are at Warning.
        await File.WriteAllTextAsync(Path.Combine(root, "nginx.conf"), string.Create(CultureInfo.InvariantCulture, $$"""
            daemon off;
            master_process on;
            worker_processes auto;
            pid {{root}}/nginx.pid;
            error_log {{root}}/error.log warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                keepalive_requests 1000000;
                client_body_temp_path {{root}}/tmp;
                proxy_temp_path {{root}}/tmp;
                fastcgi_temp_path {{root}}/tmp;
                uwsgi_temp_path {{root}}/tmp;
                scgi_temp_path {{root}}/tmp;
                server {
                    listen 127.0.0.1:{{port}};
                    root {{root}}/html;
                    location / { default_type application/json; etag on; }
                }
            }
            """));
        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        var process = FleetProcess.Start(nginx, ["-p", root, "-c", Path.Combine(root, "nginx.conf"), "-e", Path.Combine(root, "error.log")]);
        var server = new NginxServer(process, new Uri($"http://127.0.0.1:{port}/target.json"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        for (var attempt = 0; ; attempt++)
        {
            string answer;
            try
            {
                using var response = await http.GetAsync(server.Url);
                if (response.IsSuccessStatusCode)
                {
                    return server;
                }
                // Another program may have taken the port between FreePort and nginx's bind.
                answer = $"port {port} answered {(int)response.StatusCode}";
            }
            catch (HttpRequestException) when (attempt < 50 && !process.HasExited)
            {
                await Task.Delay(100);
                continue;
            }
            var errorLog = Path.Combine(root, "error.log");
            var output = process.Output + (File.Exists(errorLog) ? await File.ReadAllTextAsync(errorLog) : "");
            await server.DisposeAsync();
            throw new InvalidOperationException($"nginx did not serve its file ({answer}):\n{output}");
        }
    }

    /// <summary>CPU seconds its processes used so far.</summary>
    public double CpuSeconds() => FleetCpu.TreeSeconds(_process.Id);

    /// <summary>Stops nginx by its master's pid (SIGQUIT would wait for keep-alive clients; they are done).</summary>
    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
