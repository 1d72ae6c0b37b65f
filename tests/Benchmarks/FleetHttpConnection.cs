using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AtomicUpdate.Benchmarks;

/// <summary>
/// One keep-alive HTTP/1.1 connection of the load generator, written straight against the socket:
/// a request costs the generator one send and usually one receive, so its share of the machine's
/// two cores stays small, and the same against au-server and nginx. Enough HTTP for those two
/// servers (Content-Length and chunked bodies, Connection: close), not a general client.
/// </summary>
internal sealed class FleetHttpConnection : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Socket _socket;
    private readonly CancellationTokenSource _timeout = new();
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    private FleetHttpConnection(Socket socket) => _socket = socket;

    public static async Task<FleetHttpConnection> ConnectAsync(EndPoint server)
    {
        var socket = new Socket(server.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(server);
            return new FleetHttpConnection(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends one complete request and reads its whole response.</summary>
    public async Task<FleetHttpResponse> SendAsync(ReadOnlyMemory<byte> request)
    {
        if (!_timeout.TryReset())
        {
            throw new IOException("An earlier request on this connection timed out.");
        }
        _timeout.CancelAfter(Timeout);
        var timeout = _timeout;
        while (!request.IsEmpty)
        {
            var sent = await _socket.SendAsync(request, SocketFlags.None, timeout.Token);
            request = request[sent..];
        }

        int headerEnd;
        while ((headerEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0)
        {
            await FillAsync(timeout.Token);
        }
        var (status, contentLength, chunked, close, etag) = ParseHead(_buffer.AsSpan(_start, headerEnd));
        _start += headerEnd + 4;

        string? body;
        if (chunked)
        {
            body = await ReadChunkedAsync(status, timeout.Token);
        }
        else
        {
            var length = status is 204 or 304 ? 0 : contentLength ?? throw new IOException($"A {status} response has neither Content-Length nor chunked encoding.");
            while (_end - _start < length)
            {
                await FillAsync(timeout.Token);
            }
            body = Keep(status, _buffer.AsSpan(_start, length));
            _start += length;
        }
        if (close)
        {
            throw new IOException($"The server closed the connection after a {status} response.");
        }
        return new FleetHttpResponse(status, etag, body);
    }

    /// <summary>A body is only kept as text for error messages; a successful one is read and dropped.</summary>
    private static string? Keep(int status, ReadOnlySpan<byte> body) => status >= 400 ? Encoding.UTF8.GetString(body) : null;

    private async Task<string?> ReadChunkedAsync(int status, CancellationToken cancellationToken)
    {
        var text = status >= 400 ? new StringBuilder() : null;
        while (true)
        {
            int lineEnd;
            while ((lineEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n"u8)) < 0)
            {
                await FillAsync(cancellationToken);
            }
            var sizeText = _buffer.AsSpan(_start, lineEnd);
            var extension = sizeText.IndexOf((byte)';');
            if (!Utf8Parser.TryParse(extension < 0 ? sizeText : sizeText[..extension], out int size, out _, 'x'))
            {
                throw new IOException("A chunk size is not hexadecimal.");
            }
            _start += lineEnd + 2;
            if (size == 0)
            {
                // No trailers from these servers: the empty line ends the body.
                while (_end - _start < 2)
                {
                    await FillAsync(cancellationToken);
                }
                _start += 2;
                return text?.ToString();
            }
            while (_end - _start < size + 2)
            {
                await FillAsync(cancellationToken);
            }
            text?.Append(Encoding.UTF8.GetString(_buffer, _start, size));
            _start += size + 2;
        }
    }

    private static (int Status, int? ContentLength, bool Chunked, bool Close, string? ETag) ParseHead(ReadOnlySpan<byte> head)
    {
        var lineEnd = head.IndexOf("\r\n"u8);
        var statusLine = lineEnd < 0 ? head : head[..lineEnd];
        if (statusLine.Length < 12 || !statusLine.StartsWith("HTTP/1.1 "u8) || !Utf8Parser.TryParse(statusLine.Slice(9, 3), out int status, out _))
        {
            throw new IOException($"Not an HTTP/1.1 status line: {Encoding.ASCII.GetString(statusLine)}");
        }
        int? contentLength = null;
        bool chunked = false, close = false;
        string? etag = null;
        var rest = lineEnd < 0 ? [] : head[(lineEnd + 2)..];
        while (!rest.IsEmpty)
        {
            var end = rest.IndexOf("\r\n"u8);
            var line = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[(end + 2)..];
            var colon = line.IndexOf((byte)':');
            if (colon < 0)
            {
                continue;
            }
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim((byte)' ');
            if (Ascii.EqualsIgnoreCase(name, "Content-Length"u8) && Utf8Parser.TryParse(value, out int length, out _))
            {
                contentLength = length;
            }
            else if (Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8))
            {
                chunked = Ascii.EqualsIgnoreCase(value, "chunked"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "Connection"u8))
            {
                close = Ascii.EqualsIgnoreCase(value, "close"u8);
            }
            else if (Ascii.EqualsIgnoreCase(name, "ETag"u8))
            {
                etag = Encoding.ASCII.GetString(value);
            }
        }
        return (status, contentLength, chunked, close, etag);
    }

    /// <summary>Receives more bytes after the unread ones, moving them to the front or growing the buffer first when it is full.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        if (_start > 0 && _end == _buffer.Length)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            (_end, _start) = (_end - _start, 0);
        }
        else if (_start == _end)
        {
            (_start, _end) = (0, 0);
        }
        if (_end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        var received = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken);
        if (received == 0)
        {
            throw new IOException("The server closed the connection in the middle of a response.");
        }
        _end += received;
    }

    public void Dispose()
    {
        _socket.Dispose();
        _timeout.Dispose();
    }
}
