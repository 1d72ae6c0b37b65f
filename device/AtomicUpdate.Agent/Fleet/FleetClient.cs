using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AtomicUpdate.Contracts;
using Microsoft.Extensions.Logging;

namespace AtomicUpdate.Agent.Fleet;

/// <summary>
/// The device API of the fleet server (API.md) with the shared contracts: enrollment, target
/// polling with ETags, report batches. Owns the device identity: enrolls when there is none, and
/// when the server refuses the token (the device was deleted or its serial enrolled elsewhere)
/// enrolls again once per request. After a 429 no request goes out before Retry-After has passed.
/// </summary>
internal sealed class FleetClient
{
    private readonly HttpClient _http;
    private readonly FleetOptions _options;
    private readonly IdentityStore _identities;
    private readonly Func<string?> _installedVersion;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Uri _base;
    private readonly SemaphoreSlim _enrollment = new(1, 1);
    private readonly Lock _lock = new();
    private FleetIdentity? _identity;
    private bool _identityLoaded;
    private string? _etag;
    private DeviceTarget? _target;
    private DateTimeOffset _notBefore;

    /// <summary>A client of the server in <paramref name="options"/>; <paramref name="installedVersion"/> gives the committed release for enrollments.</summary>
    public FleetClient(HttpClient http, FleetOptions options, Func<string?> installedVersion, ILogger logger, TimeProvider? time = null)
    {
        _http = http;
        _options = options;
        _identities = new IdentityStore(options.FleetDirectory);
        _installedVersion = installedVersion;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        var server = options.Server.ToString();
        _base = new Uri(server.EndsWith('/') ? server : server + "/");
    }

    /// <summary>The current identity, loaded from disk on first use; null before enrollment.</summary>
    public FleetIdentity? Identity
    {
        get
        {
            lock (_lock)
            {
                if (!_identityLoaded)
                {
                    _identity = LoadIdentity();
                    _identityLoaded = true;
                }
                return _identity;
            }
        }
    }

    /// <summary>The stored identity, or a new one from enrolling now.</summary>
    public async Task<FleetIdentity> EnsureEnrolledAsync(CancellationToken cancellationToken) =>
        Identity ?? await EnrollAsync(stale: null, cancellationToken).ConfigureAwait(false);

    /// <summary>Polls the target, sending the last ETag so an unchanged target costs a 304.</summary>
    public async Task<TargetPoll> GetTargetAsync(CancellationToken cancellationToken)
    {
        string? etag;
        DeviceTarget? previous;
        lock (_lock)
        {
            previous = _target;
            etag = previous is null ? null : _etag;
        }
        using var response = await SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_base, DeviceApiPaths.Target));
                if (etag is not null)
                {
                    request.Headers.TryAddWithoutValidation("If-None-Match", etag);
                }
                return request;
            },
            "the target poll",
            cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            lock (_lock)
            {
                // A 304 answers the ETag of the target read before this request (a re-enrollment in between forgot it).
                _target ??= previous;
                _etag ??= etag;
                return new TargetPoll(previous!, Changed: false);
            }
        }
        var target = await ReadAsync(response, ContractsJsonContext.Default.DeviceTarget, "target", cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            var changed = _target != target;
            _target = target;
            _etag = response.Headers.ETag?.ToString();
            return new TargetPoll(target, changed);
        }
    }

    /// <summary>Sends 1 to <see cref="ReportBatch.MaxReports"/> reports in sequence order.</summary>
    public async Task<ReportBatchResult> SendReportsAsync(IReadOnlyList<DeviceReport> reports, CancellationToken cancellationToken)
    {
        var body = new ReportBatch { Reports = reports };
        using var response = await SendAsync(
            () => new HttpRequestMessage(HttpMethod.Post, new Uri(_base, DeviceApiPaths.Reports))
            {
                Content = JsonContent.Create(body, ContractsJsonContext.Default.ReportBatch),
            },
            $"reports {reports[0].Sequence} to {reports[^1].Sequence}",
            cancellationToken).ConfigureAwait(false);
        var result = await ReadAsync(response, ContractsJsonContext.Default.ReportBatchResult, "report batch result", cancellationToken).ConfigureAwait(false);
        FleetLog.ReportsSent(_logger, reports.Count, reports[0].Sequence, reports[^1].Sequence, result.Accepted);
        return result;
    }

    /// <summary>Sends with the device token; on 401 enrolls again once and repeats the request with the new token.</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> create, string what, CancellationToken cancellationToken)
    {
        var identity = await EnsureEnrolledAsync(cancellationToken).ConfigureAwait(false);
        var response = await SendOnceAsync(create, identity, what, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return await SuccessOrThrowAsync(response, what, cancellationToken).ConfigureAwait(false);
        }
        var problem = await ProblemAsync(response, cancellationToken).ConfigureAwait(false);
        response.Dispose();
        FleetLog.TokenRefused(_logger, identity.DeviceId, problem);
        identity = await EnrollAsync(identity, cancellationToken).ConfigureAwait(false);
        response = await SendOnceAsync(create, identity, what, cancellationToken).ConfigureAwait(false);
        return await SuccessOrThrowAsync(response, what, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(Func<HttpRequestMessage> create, FleetIdentity? identity, string what, CancellationToken cancellationToken)
    {
        await WaitForRetryAfterAsync(cancellationToken).ConfigureAwait(false);
        using var request = create();
        if (identity is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", identity.Token);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException exception) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FleetException($"The fleet server {_base} did not answer {what} within {_options.RequestTimeout.TotalSeconds} s.", isTransient: true, innerException: exception);
        }
        catch (HttpRequestException exception)
        {
            throw new FleetException($"The fleet server {_base} is unreachable for {what}: {exception.Message}", isTransient: true, innerException: exception);
        }
    }

    private async Task<HttpResponseMessage> SuccessOrThrowAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotModified)
        {
            return response;
        }
        using (response)
        {
            var status = response.StatusCode;
            var retryAfter = RetryAfter(response);
            if (retryAfter is { } wait)
            {
                lock (_lock)
                {
                    _notBefore = _time.GetUtcNow() + wait;
                }
            }
            var problem = await ProblemAsync(response, cancellationToken).ConfigureAwait(false);
            var transient = status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || (int)status >= 500;
            var message = status == HttpStatusCode.TooManyRequests
                ? $"The fleet server {_base} is rate limiting this device; {what} waits {retryAfter?.TotalSeconds ?? 0:0} s: {problem}"
                : $"The fleet server {_base} refused {what} with {(int)status} {status}: {problem}";
            throw new FleetException(message, status, transient, retryAfter);
        }
    }

    private async Task<FleetIdentity> EnrollAsync(FleetIdentity? stale, CancellationToken cancellationToken)
    {
        await _enrollment.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Another request may have enrolled while this one waited; enrolling twice would revoke that token.
            var current = Identity;
            if (current is not null && current.Token != stale?.Token)
            {
                return current;
            }
            var request = new EnrollmentRequest
            {
                EnrollmentSecret = ReadSecret(),
                HardwareId = _options.HardwareId,
                Serial = ReadSerial(),
                Name = Truncate(_options.DeviceName ?? Environment.MachineName, 128),
                Channel = _options.Channel,
                InstalledVersion = _installedVersion(),
            };
            using var response = await SendOnceAsync(
                () => new HttpRequestMessage(HttpMethod.Post, new Uri(_base, DeviceApiPaths.Enroll))
                {
                    Content = JsonContent.Create(request, ContractsJsonContext.Default.EnrollmentRequest),
                },
                identity: null,
                "the enrollment",
                cancellationToken).ConfigureAwait(false);
            using var checkedResponse = await SuccessOrThrowAsync(response, "the enrollment", cancellationToken).ConfigureAwait(false);
            var enrolled = await ReadAsync(checkedResponse, ContractsJsonContext.Default.EnrollmentResponse, "enrollment", cancellationToken).ConfigureAwait(false);
            var identity = new FleetIdentity { DeviceId = enrolled.DeviceId, Token = enrolled.Token, Server = _base.ToString(), EnrolledAt = _time.GetUtcNow() };
            _identities.Save(identity);
            lock (_lock)
            {
                _identity = identity;
                _identityLoaded = true;
                _etag = null;
                _target = null;
            }
            if (stale is null)
            {
                FleetLog.Enrolled(_logger, identity.DeviceId, _base.ToString(), request.Serial);
            }
            else
            {
                FleetLog.Reenrolled(_logger, stale.DeviceId, identity.DeviceId, _base.ToString());
            }
            return identity;
        }
        finally
        {
            _enrollment.Release();
        }
    }

    private FleetIdentity? LoadIdentity()
    {
        try
        {
            var identity = _identities.Load();
            if (identity is not null && identity.Server != _base.ToString())
            {
                FleetLog.IdentityForOtherServer(_logger, identity.Server, _base.ToString());
                return null;
            }
            return identity;
        }
        catch (InvalidDataException exception)
        {
            FleetLog.IdentityUnreadable(_logger, exception.Message);
            return null;
        }
    }

    private string ReadSecret()
    {
        var path = _options.EnrollmentSecretFile
            ?? throw new FleetException($"The device is not enrolled with the fleet server {_base} and no enrollment secret file is configured (enrollmentSecretFile).");
        string secret;
        try
        {
            secret = File.ReadAllText(path).Trim();
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new FleetException($"The enrollment secret file {path} cannot be read: {exception.Message}", innerException: exception);
        }
        return secret.Length > 0 ? secret : throw new FleetException($"The enrollment secret file {path} is empty.");
    }

    /// <summary>The first line of the serial file, or null (the server then makes a new device on every enrollment).</summary>
    private string? ReadSerial()
    {
        try
        {
            var line = File.ReadLines(_options.SerialFile).FirstOrDefault()?.Trim();
            return string.IsNullOrEmpty(line) ? null : Truncate(line, 128);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            FleetLog.SerialUnreadable(_logger, _options.SerialFile, exception.Message);
            return null;
        }
    }

    private async Task WaitForRetryAfterAsync(CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_lock)
        {
            wait = _notBefore - _time.GetUtcNow();
        }
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - _time.GetUtcNow() is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero,
            _ => null,
        };

    private async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                ?? throw new FleetException($"The fleet server {_base} sent an empty {what}.", response.StatusCode);
        }
        catch (JsonException exception)
        {
            throw new FleetException($"The fleet server {_base} sent a {what} that is not valid JSON: {exception.Message}", response.StatusCode, innerException: exception);
        }
    }

    /// <summary>The problem details' sentence, or the start of whatever body came instead.</summary>
    private static async Task<string> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (JsonSerializer.Deserialize(body, ContractsJsonContext.Default.ApiProblem) is { } problem && (problem.Detail ?? problem.Title) is { } sentence)
            {
                return sentence;
            }
        }
        catch (JsonException)
        {
            // Not problem details (a proxy's error page): show the body itself.
        }
        return body.Length == 0 ? "(no body)" : Truncate(body, 200);
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length];
}
