using System.Net;
using System.Net.Sockets;

namespace AtomicUpdate.Testing;

/// <summary>
/// A static file server on a free 127.0.0.1 port with HTTP Range support, a count of the body
/// bytes it served, and faults to inject: stop serving after a number of bytes, or corrupt bytes.
/// </summary>
internal sealed class RangeHttpServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly string _root;
    private readonly Task _loop;
    private long _served;

    public RangeHttpServer(string root)
    {
        _root = Path.GetFullPath(root);
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            BaseUrl = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/";
        }
        _listener.Prefixes.Add(BaseUrl);
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string BaseUrl { get; }

    /// <summary>Body bytes served so far, over every request.</summary>
    public long ServedBytes => Interlocked.Read(ref _served);

    /// <summary>When set, the server serves at most this many more body bytes, then cuts the connection and answers 503.</summary>
    public long? FailAfterBytes { get; set; }

    /// <summary>When set, every byte served at this file offset of files whose name ends with the suffix is flipped.</summary>
    public (string Suffix, long Offset)? Corrupt { get; set; }

    public void ResetCounter() => Interlocked.Exchange(ref _served, 0);

    public void Dispose()
    {
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
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
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var relative = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath).TrimStart('/');
            var path = Path.GetFullPath(Path.Combine(_root, relative));
            if (!path.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !File.Exists(path))
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }
            if (FailAfterBytes is <= 0)
            {
                response.StatusCode = 503;
                response.Close();
                return;
            }
            await using var file = File.OpenRead(path);
            long start = 0, end = file.Length - 1;
            if (context.Request.Headers["Range"] is { } range && range.StartsWith("bytes=", StringComparison.Ordinal))
            {
                var parts = range[6..].Split('-');
                start = long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
                if (parts[1].Length > 0)
                {
                    end = Math.Min(end, long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
                }
                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {start}-{end}/{file.Length}";
            }
            response.ContentLength64 = end - start + 1;
            file.Position = start;
            var buffer = new byte[64 << 10];
            var position = start;
            while (position <= end)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, end - position + 1)));
                if (Corrupt is { } corrupt && path.EndsWith(corrupt.Suffix, StringComparison.Ordinal) && corrupt.Offset >= position && corrupt.Offset < position + read)
                {
                    buffer[corrupt.Offset - position] ^= 0xff;
                }
                if (FailAfterBytes is { } left)
                {
                    if (read >= left)
                    {
                        await response.OutputStream.WriteAsync(buffer.AsMemory(0, (int)left));
                        Interlocked.Add(ref _served, left);
                        FailAfterBytes = 0;
                        response.Abort();
                        return;
                    }
                    FailAfterBytes = left - read;
                }
                await response.OutputStream.WriteAsync(buffer.AsMemory(0, read));
                Interlocked.Add(ref _served, read);
                position += read;
            }
            response.Close();
        }
        catch (Exception exception) when (exception is HttpListenerException or IOException or ObjectDisposedException)
        {
            response.Abort();
        }
    }
}
