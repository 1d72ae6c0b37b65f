using AtomicUpdate.Payload;
using AtomicUpdate.Server.Configuration;
using AtomicUpdate.Server.Data;
using AtomicUpdate.Server.Http;
using AtomicUpdate.Trust;

namespace AtomicUpdate.Server.Releases;

/// <summary>
/// Checks a release in the signed repository before the server may offer it: the TUF metadata
/// verifies against the trusted root (fresh, signed, not expired), it lists the release's full
/// payload with an AtomicUpdate payload contract, and (by default) the payload's bytes match.
/// </summary>
internal sealed class ReleaseVerifier(ServerOptions options, IHttpClientFactory httpClients)
{
    public async Task<ReleaseRow> VerifyAsync(string version, CancellationToken cancellationToken)
    {
        var repository = options.Repository;
        if ((repository.Path ?? repository.Url) is null || repository.TrustedRoot is null)
        {
            throw ApiException.Unprocessable("The server has no signed repository configured (Repository:Path or Repository:Url with Repository:TrustedRoot), so it cannot register releases.");
        }
        byte[] root;
        try
        {
            root = await File.ReadAllBytesAsync(repository.TrustedRoot, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            throw ApiException.Unprocessable($"The trusted root file could not be read: {error.Message}");
        }
        IRepositoryFetcher fetcher = repository.Path is not null
            ? new DirectoryRepositoryFetcher(repository.Path)
            : new HttpRepositoryFetcher(httpClients.CreateClient("repository"), new Uri(repository.Url!));
        var client = new TrustClient(new TrustClientOptions { Fetcher = fetcher, BootstrapRoot = root });
        var name = UpdateTargetNames.Full(version);
        try
        {
            await client.RefreshAsync(cancellationToken).ConfigureAwait(false);
            var target = client.TryGetTarget(name)
                ?? throw ApiException.Unprocessable($"The signed repository does not list {name}, so release {version} cannot be registered.");
            var payload = PayloadTarget.FromJson(name, target.Custom);
            if (payload.Kind != PayloadKind.Full || payload.Version != version)
            {
                throw ApiException.Unprocessable($"The target {name} describes a {payload.Kind} payload of version {payload.Version}, not the full payload of {version}.");
            }
            if (repository.VerifyPayloads)
            {
                await client.DownloadTargetAsync(target, Stream.Null, cancellationToken).ConfigureAwait(false);
            }
            return new ReleaseRow
            {
                Version = version,
                Hardware = string.Join(',', payload.HardwareIds),
                Uuid = payload.Uuid.ToString("D"),
                Length = target.Length,
                Sha256 = target.Sha256 ?? "",
            };
        }
        catch (TrustException error)
        {
            throw ApiException.Unprocessable($"The signed repository failed verification: {error.Message}");
        }
        catch (InvalidDataException error)
        {
            throw ApiException.Unprocessable(error.Message);
        }
    }
}
