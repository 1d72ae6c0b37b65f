using AtomicUpdate.Contracts;

namespace AtomicUpdate.Server.Data;

/// <summary>
/// One request's writes waiting for the group commit (see <see cref="GroupCommit"/>): a rollout's
/// first offer to a device, or a device's report batch. Its task completes once the transaction
/// that holds it committed, with what the flush found out (accepted reports, last sequence).
/// </summary>
internal sealed class PendingWrite
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private PendingWrite(string deviceId, string? offerRolloutId, IReadOnlyList<DeviceReport>? reports)
    {
        DeviceId = deviceId;
        OfferRolloutId = offerRolloutId;
        Reports = reports ?? [];
    }

    public string DeviceId { get; }

    /// <summary>The rollout offering <see cref="DeviceId"/> its release for the first time, or null.</summary>
    public string? OfferRolloutId { get; }

    /// <summary>The reports to store, validated, in increasing sequence; empty for an offer.</summary>
    public IReadOnlyList<DeviceReport> Reports { get; }

    /// <summary>The reports that were new (not stored before), in order; set by the flush.</summary>
    public List<DeviceReport> Accepted { get; } = [];

    /// <summary>The device's highest stored sequence after the flush.</summary>
    public long LastSequence { get; set; }

    public Task Done => _done.Task;

    public static PendingWrite Offer(string rolloutId, string deviceId) => new(deviceId, rolloutId, null);

    public static PendingWrite Report(string deviceId, IReadOnlyList<DeviceReport> reports) => new(deviceId, null, reports);

    /// <summary>Forgets what a failed flush found, before the write runs again on its own.</summary>
    public void Reset()
    {
        Accepted.Clear();
        LastSequence = 0;
    }

    public void Complete() => _done.TrySetResult();

    public void Fail(Exception error) => _done.TrySetException(error);
}
