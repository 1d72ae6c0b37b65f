using System.Net;
using System.Net.Sockets;

namespace AtomicUpdate.Trust.Tests;

/// <summary>
/// A small HTTP server on 127.0.0.1 with a random port that serves a directory under /repo/,
/// or answers every request with one fixed status code.
/// </summary>
internal sealed class StaticHttpServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly string? _root;
    private readonly HttpStatusCode? _fixedStatus;
    private readonly Task _loop;

    public StaticHttpServer(string? root, HttpStatusCode? fixedStatus = null)
    {
        _root = root;
        _fixedStatus = fixedStatus;
        (_listener, Port) = Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>The repository base, deliberately without a trailing slash.</summary>
    public Uri BaseUri => new($"http://127.0.0.1:{Port}/repo");

    public int RequestCount { get; private set; }

    /// <summary>A port that nothing listens on.</summary>
    public static int UnusedPort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends with the listener.
        }
    }

    private static (HttpListener Listener, int Port) Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var port = UnusedPort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return (listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            RequestCount++;
            using var response = context.Response;
            var path = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath);
            if (_fixedStatus is { } status)
            {
                response.StatusCode = (int)status;
                continue;
            }

            var file = path.StartsWith("/repo/", StringComparison.Ordinal) && _root is not null
                ? Path.Combine(_root, path["/repo/".Length..])
                : null;
            if (file is null || !File.Exists(file))
            {
                response.StatusCode = 404;
                continue;
            }

            var bytes = await File.ReadAllBytesAsync(file);
            response.ContentLength64 = bytes.Length;
            try
            {
                await response.OutputStream.WriteAsync(bytes);
            }
            catch (HttpListenerException)
            {
                // The client stopped reading (for example after an oversized announcement).
            }
        }
    }
}
